// Linear layers applied as one fused GEMM: leading dimensions are flattened and the bias is
// added inside the GEMM (addmm). LibTorch 1.13's C++ linear() on a 3-D input runs matmul
// and then a separate bias pass, which cost a BIT training step about 10% on the CPU.
#pragma once

#include <torch/nn/modules/linear.h>

namespace neuroscale::model {

// x [..., in] -> [..., out] with `layer`'s weight and bias.
at::Tensor linear(const at::Tensor& x, const torch::nn::Linear& layer);

}  // namespace neuroscale::model
