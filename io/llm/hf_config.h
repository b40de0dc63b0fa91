// A Hugging Face causal-LM directory's config.json (LlamaConfig, Qwen2Config and the models
// built on them: SmolLM, TinyLlama) read into the engine's options, and written back so
// transformers' AutoConfig loads what the engine trained.
#pragma once

#include <string>

#include "core/llm/causal_lm_options.h"

namespace neuroscale::io {

// Reads `path` (a config.json). Accepts model_type "llama" and "qwen2"; refuses with one
// line naming the file, the field and its value anything the decoder does not implement
// (another model_type, hidden_act other than silu, rope_scaling, a sliding window in use,
// mlp_bias, a missing size field). Throws DataError.
llm::CausalLmOptions read_hf_config(const std::string& path);

// config.json text for `options` (model_type and architectures of its family), which
// read_hf_config and transformers both read back to the same model.
std::string hf_config_json(const llm::CausalLmOptions& options);

}  // namespace neuroscale::io
