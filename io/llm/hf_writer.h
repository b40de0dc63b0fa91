// Writing a causal LM as a Hugging Face model directory that transformers'
// AutoModelForCausalLM and AutoTokenizer load unchanged: config.json (hf_config_json),
// model.safetensors (the base parameters under their Hugging Face names, LoRA adapters
// merged into their weights: W + (alpha / r) B A; no lm_head.weight when tied),
// tokenizer.json, and tokenizer_config.json (PreTrainedTokenizerFast with the model's BOS and
// EOS tokens, so AutoTokenizer takes tokenizer.json as it is).
#pragma once

#include <string>

#include "core/llm/causal_lm.h"

namespace neuroscale::io {

// Writes into "<directory>.tmp.<pid>" and renames it to `directory` (an existing directory
// there is replaced only after the new one is complete). The tensors are float32 unless
// `keep_dtype`. Throws DataError naming the path.
void write_hf_causal_lm(const std::string& directory, llm::CausalLmImpl& model,
                        const std::string& tokenizer_json, bool keep_dtype = false);

}  // namespace neuroscale::io
