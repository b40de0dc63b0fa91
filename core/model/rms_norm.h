// RMSNorm as Llama-family models compute it (transformers' LlamaRMSNorm): in float32,
// y = weight · (x / sqrt(mean(x²) + eps)), cast back to x's dtype before the weight. Fused
// on the CPU for float32.
//
// Why: as LibTorch ops (pow, mean, add, rsqrt, two muls, and autograd's backward of each)
// it passes over [tokens, hidden] about fifteen times per step; fused, forward and backward
// read each row once into L1 and finish it there.
#pragma once

#include <ATen/core/Tensor.h>

namespace neuroscale::model {

// x [..., H], weight [H] -> [..., H] in x's dtype (times the weight's promotion, as the
// reference). Contiguous float32 CPU x and weight take the fused kernels; anything else
// (CUDA, bf16 under autocast) the LibTorch ops. Differentiable in x and the weight (whose
// gradient sums rows in fixed chunks, so it does not depend on the thread count).
at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps);

}  // namespace neuroscale::model
