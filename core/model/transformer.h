// The shared Transformer encoder: pre-LayerNorm blocks (attention with RoPE, GELU MLP,
// dropout on each residual branch) and a final LayerNorm. Defaults are the BIT reference
// (`configs/models/encoder/ndt.yaml`): d 384, 7 layers, 6 heads, MLP 512, dropout 0.4.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "core/model/attention.h"

namespace neuroscale::model {

struct TransformerOptions {
  /// model width d
  TORCH_ARG(std::int64_t, hidden) = 384;
  /// number of blocks L
  TORCH_ARG(std::int64_t, layers) = 7;
  /// attention heads (d / heads must be even)
  TORCH_ARG(std::int64_t, heads) = 6;
  /// hidden width of each block's MLP
  TORCH_ARG(std::int64_t, mlp) = 512;
  /// dropout on attention probabilities and on both residual branches
  TORCH_ARG(double, dropout) = 0.4;
  /// RoPE base
  TORCH_ARG(double, rope_theta) = 1e4;
  /// scale projections as the reference's "fixup" init (see TransformerImpl)
  TORCH_ARG(bool, fixup_init) = true;
};

class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(std::int64_t hidden, std::int64_t inner);
  at::Tensor forward(const at::Tensor& x);

  torch::nn::Linear up_proj{nullptr};
  torch::nn::Linear down_proj{nullptr};
};
TORCH_MODULE(Mlp);

class TransformerBlockImpl : public torch::nn::Module {
 public:
  explicit TransformerBlockImpl(const TransformerOptions& options);
  at::Tensor forward(const at::Tensor& x, const RotaryTables& rope, const RotaryTables& query_rope,
                     const KeyMask& mask);

  TransformerOptions options;
  torch::nn::LayerNorm norm1{nullptr};
  SelfAttention attn{nullptr};
  torch::nn::LayerNorm norm2{nullptr};
  Mlp mlp{nullptr};
};
TORCH_MODULE(TransformerBlock);

// Initialisation: PyTorch's defaults (Linear U(+-1/sqrt(fan_in)), LayerNorm 1/0), then with
// `fixup_init` every out_proj/up_proj/down_proj weight is scaled by 0.67 * L^-1/4 and the
// value rows of qkv by 0.67 * L^-1/4 * sqrt(2), as the reference does.
class TransformerImpl : public torch::nn::Module {
 public:
  explicit TransformerImpl(const TransformerOptions& options = {});

  // x [B, N, d]; `padding` [B, N] bool (true = ignore as key); `positions` [N] time of each
  // token (bin index). Returns the final-LayerNorm output [B, N, d].
  at::Tensor forward(const at::Tensor& x, const at::Tensor& padding, const at::Tensor& positions);

  TransformerOptions options;
  torch::nn::ModuleList layers{nullptr};
  torch::nn::LayerNorm final_norm{nullptr};
};
TORCH_MODULE(Transformer);

}  // namespace neuroscale::model
