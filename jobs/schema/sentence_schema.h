// The `sentence` section of a fine-tuning config (`task: sentence`): BIT's end-to-end stage.
// The BIT encoder (model.*, augment.*, masking.*, init.checkpoint as for CTC fine-tuning)
// feeds a projector into a frozen causal LM from a Hugging Face directory, with LoRA
// adapters and the modality aligner (core/llm/neural_lm.h, core/task/sentence_task.h).
#pragma once

#include <string>
#include <vector>

#include "core/model/lora.h"
#include "io/config/config_visitor.h"

namespace neuroscale::jobs {

// BIT's prompt; '#' marks where the neural tokens go.
inline constexpr const char* kBitPrompt =
    "<|neural_activity|>#<|/neural_activity|> decode the above neural activity into an English "
    "sentence:";

struct SentenceConfig {
  std::string llm;                ///< Hugging Face causal LM directory
  std::string llm_prefix;         ///< key prefix of the LM inside its weights
  std::string llm_config;         ///< another config.json for the LM ("": the directory's)
  std::string dtype = "float32";  ///< the frozen LM's parameters: float32 | bfloat16
  std::string prompt = kBitPrompt;
  std::int64_t projector_hidden = 0;  ///< 0: one Linear; > 0: Linear-ReLU-Linear
  model::LoraOptions lora = model::LoraOptions().rank(8).alpha(32).dropout(0.2);
  std::vector<std::string> lora_targets = {"q_proj",    "k_proj",  "v_proj",   "o_proj",
                                           "gate_proj", "up_proj", "down_proj"};
  double aligner_weight = 1.0;
  std::int64_t aligner_width = 512;
  double temperature = 0.1;
  double max_logit_scale = 100.0;
  double ctc_weight = 0.0;  ///< auxiliary CTC loss on the encoder (0: off)
};

void describe(io::ConfigVisitor& v, SentenceConfig& o);
// Cross-field checks (an LM directory, a prompt with one '#'); ConfigError naming `source`.
void validate(const SentenceConfig& o, const std::string& source);

// The prompt's two parts around its '#'.
std::pair<std::string, std::string> split_prompt(const std::string& prompt);

}  // namespace neuroscale::jobs
