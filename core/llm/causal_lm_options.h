// The size and conventions of a decoder-only language model of the Llama family as Hugging
// Face transformers defines it (LlamaConfig, Qwen2Config): pre-norm blocks of RMSNorm,
// grouped-query attention with rotary embeddings and a SiLU-gated MLP. Filled from a
// checkpoint's config.json by io/llm/hf_config.h; validated here.
#pragma once

#include <torch/arg.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/model/lora.h"

namespace neuroscale::llm {

// Which projections carry LoRA adapters, by their Hugging Face names.
inline const std::vector<std::string>& lora_target_names() {
  static const std::vector<std::string> kNames = {"q_proj",    "k_proj",  "v_proj",   "o_proj",
                                                  "gate_proj", "up_proj", "down_proj"};
  return kNames;
}

struct CausalLmOptions {
  // A 2-layer model, 64 wide, 4 heads over 2 KV heads, vocabulary 512: for tests.
  static CausalLmOptions tiny();

  // Throws ConfigError naming the first field out of range or inconsistent (in the names
  // config.json uses: "num_key_value_heads", ...).
  void validate() const;

  std::int64_t head_dim_or_default() const {
    return head_dim() > 0 ? head_dim() : hidden() / heads();
  }
  // Parameters of the base model (the output head counted once when tied).
  std::int64_t parameter_count() const;

  /// "qwen2" or "llama" (model_type); informational, the architecture is the same
  TORCH_ARG(std::string, family) = "llama";
  /// vocab_size
  TORCH_ARG(std::int64_t, vocab) = 32000;
  /// hidden_size
  TORCH_ARG(std::int64_t, hidden) = 4096;
  /// intermediate_size (MLP width)
  TORCH_ARG(std::int64_t, intermediate) = 11008;
  /// num_hidden_layers
  TORCH_ARG(std::int64_t, layers) = 32;
  /// num_attention_heads
  TORCH_ARG(std::int64_t, heads) = 32;
  /// num_key_value_heads (grouped-query attention); heads must be a multiple of it
  TORCH_ARG(std::int64_t, kv_heads) = 32;
  /// head_dim; 0 = hidden / heads
  TORCH_ARG(std::int64_t, head_dim) = 0;
  /// rms_norm_eps
  TORCH_ARG(double, rms_eps) = 1e-6;
  /// rope_theta
  TORCH_ARG(double, rope_theta) = 10000.0;
  /// max_position_embeddings: the longest sequence the model accepts
  TORCH_ARG(std::int64_t, max_positions) = 4096;
  /// tie_word_embeddings: the output head is the embedding matrix
  TORCH_ARG(bool, tie_embeddings) = false;
  /// attention_bias: biases on q, k and v (Qwen2: always; o_proj never has one)
  TORCH_ARG(bool, qkv_bias) = false;
  /// bos_token_id (-1: none)
  TORCH_ARG(std::int64_t, bos) = -1;
  /// eos_token_id, one or several (generation stops at any)
  TORCH_ARG(std::vector<std::int64_t>, eos) = {};
  /// pad_token_id (-1: none; generation pads with the first EOS)
  TORCH_ARG(std::int64_t, pad) = -1;
  /// LoRA adapters (rank 0: none) on the projections named in lora_targets
  TORCH_ARG(model::LoraOptions, lora) = {};
  TORCH_ARG(std::set<std::string>, lora_targets) = {};
};

}  // namespace neuroscale::llm
