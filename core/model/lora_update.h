// The low-rank update of a LoRA layer, y = base + s · (x Aᵀ) Bᵀ, as one autograd function
// whose products all run in the orientation BLAS does well for a rank-r factor.
//
// Why: with rank r = 8, the products x·Aᵀ [N, r], g·B [N, r] and gᵀ·D [out, r] have an
// output only r columns wide, a shape MKL's GEMM runs at a third of the speed of the same
// product transposed (A·xᵀ [r, N]): 90 µs against 32 µs for N = 256, in = 768, two threads
// (timed from PyTorch; docs/benchmarks.md, the LoRA step). Autograd's own backward of
// mm/addmm computes them in the slow orientation; this function computes every one as its
// transpose, r rows by N or out.
#pragma once

#include <ATen/core/Tensor.h>

namespace neuroscale::model {

// base [N, out] += scaling · (x [N, in] · A [r, in]ᵀ) · B [out, r]ᵀ, returned; all of one
// floating dtype on one device. `base` is updated in place (its version moves on, so a
// graph that saved it refuses to run backward rather than use the sum): pass a product
// made for this. Differentiable in all four tensors: base's gradient is the output's,
// passed through; x's is the update's part only (base carries its own).
at::Tensor lora_update(const at::Tensor& base, const at::Tensor& x, const at::Tensor& lora_A,
                       const at::Tensor& lora_B, double scaling);

}  // namespace neuroscale::model
