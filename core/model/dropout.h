// Dropout with a fused CPU kernel. LibTorch's CPU dropout draws its mask with bernoulli_,
// which took a fifth of a BIT training step on the CPU. Here the keep decision of element i
// is a bit test on SplitMix64(seed + i * golden) (the counter form of SplitMix64, so chunks
// run in parallel with results independent of the thread count), the mask is stored as
// bytes, and forward and backward are single passes. The seed of each call is drawn from
// LibTorch's default CPU generator, so torch::manual_seed makes runs repeatable. Tensors
// that are not float32/float64 on the CPU go to at::dropout (the fused kernels on GPU).
#pragma once

#include <ATen/ATen.h>

namespace neuroscale::model {

// Zeroes each element with probability `p` and scales the rest by 1 / (1 - p) when
// `training` and p > 0; otherwise returns `x`. p must be in [0, 1).
at::Tensor dropout(const at::Tensor& x, double p, bool training);

}  // namespace neuroscale::model
