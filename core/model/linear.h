// How the model applies its Linear and LayerNorm modules.
// - linear(): one fused GEMM; leading dimensions are flattened and the bias is added inside
//   the GEMM (addmm). LibTorch 1.13's C++ linear() on a 3-D input runs matmul and then a
//   separate bias pass, which cost a BIT training step about 10% on the CPU.
// - layer_norm(): in float32 whatever the input (bf16 under autocast), as autocast does on
//   CUDA; LibTorch 1.13's CPU autocast leaves LayerNorm to fail on bf16 input.
#pragma once

#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

namespace neuroscale::model {

// x [..., in] -> [..., out] with `layer`'s weight and bias.
at::Tensor linear(const at::Tensor& x, const torch::nn::Linear& layer);

// A LayerNorm over the last dimension of `width` (eps 1e-5, affine), as every block uses.
torch::nn::LayerNorm make_layer_norm(std::int64_t width);

// `norm` applied in float32.
at::Tensor layer_norm(const at::Tensor& x, const torch::nn::LayerNorm& norm);

}  // namespace neuroscale::model
