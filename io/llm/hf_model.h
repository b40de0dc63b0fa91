// A Hugging Face causal-LM directory opened as a whole: config.json into the decoder's
// options, the weights (io/llm/llm_weights.h) and, when present, tokenizer.json.
#pragma once

#include <optional>
#include <set>
#include <string>

#include "core/llm/causal_lm.h"
#include "io/llm/llm_weights.h"
#include "io/llm/tokenizer.h"

namespace neuroscale::io {

struct HfCausalLm {
  std::string directory;
  llm::CausalLm model{nullptr};
  std::optional<BpeTokenizer> tokenizer;  ///< absent without tokenizer.json
  LlmWeightsSummary weights;
};

// Opens `directory`. With `options.prefix`, config.json may still describe only the LLM (as
// Aero-1-Audio's text_config does not): `config` names another config.json to use ("" : the
// directory's). `lora` adapters are added on `lora_targets` before the weights load (their
// own initial values kept). Throws DataError naming the file at fault; the model is in
// evaluation mode on options.device.
HfCausalLm load_hf_causal_lm(const std::string& directory, const LlmWeightsOptions& options = {},
                             const std::string& config = "", const model::LoraOptions& lora = {},
                             const std::set<std::string>& lora_targets = {});

// The tokenizer a command needs: the directory's, else DataError naming the directory; also
// DataError when it has more tokens than the model's vocabulary (another model's tokenizer).
const BpeTokenizer& require_tokenizer(const HfCausalLm& lm);

}  // namespace neuroscale::io
