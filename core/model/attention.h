// Bidirectional multi-head self-attention with rotary position embeddings and a key-padding
// mask: one fused q/k/v projection (weight [3d, d], rows ordered query, key, value), scaled
// dot-product attention with dropout on the probabilities, and an output projection.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include "core/model/rotary.h"

namespace neuroscale::model {

struct AttentionOptions {
  AttentionOptions(std::int64_t hidden, std::int64_t heads) : hidden_(hidden), heads_(heads) {}
  /// model width d (divisible by `heads`; d / heads must be even for RoPE)
  TORCH_ARG(std::int64_t, hidden);
  /// number of heads
  TORCH_ARG(std::int64_t, heads);
  /// dropout on attention probabilities while training
  TORCH_ARG(double, dropout) = 0.0;
};

// Keys to ignore, in the two forms the kernels take; built once per forward of the encoder.
struct KeyMask {
  at::Tensor keep;          ///< [B, 1, 1, N] bool: true where the key is a real token
  at::Tensor additive;      ///< [B, 1, 1, N] float: 0 for real keys, -inf for padding
  bool any_padding = true;  ///< false: no key is padding and the mask can be skipped
};
KeyMask make_key_mask(const at::Tensor& padding);

class SelfAttentionImpl : public torch::nn::Module {
 public:
  explicit SelfAttentionImpl(const AttentionOptions& options);

  // x [B, N, d]; `rope` tables for N tokens, unscaled; `query_rope` the same tables scaled
  // by 1/sqrt(head_dim) (the attention scale, folded into the query rotation). Returns
  // [B, N, d].
  at::Tensor forward(const at::Tensor& x, const RotaryTables& rope, const RotaryTables& query_rope,
                     const KeyMask& mask);

  AttentionOptions options;
  torch::nn::Linear qkv{nullptr};
  torch::nn::Linear out_proj{nullptr};
};
TORCH_MODULE(SelfAttention);

}  // namespace neuroscale::model
