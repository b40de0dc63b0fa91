// The gated activation of Llama-family MLPs, silu(gate) · up (SwiGLU), fused on the CPU.
//
// Why: as three LibTorch ops (silu, mul, and their backward: mul, mul, silu_backward) it
// passes over [tokens, intermediate] fourteen times per step and was, with the sum of the
// projections' gradients, about 5% of a LoRA step of the 100M LM (bench/lm_lora_step.sh);
// fused, the forward reads gate and up once and the backward reads g, gate and up once.
#pragma once

#include <ATen/core/Tensor.h>

namespace neuroscale::model {

// silu(gate) · up = gate · σ(gate) · up, elementwise, differentiable in both. Contiguous
// float32 CPU tensors of one shape take the fused kernels (σ recomputed in the backward, so
// only gate and up are kept); anything else (CUDA, bf16, broadcasting) the LibTorch ops.
at::Tensor silu_mul(const at::Tensor& gate, const at::Tensor& up);

}  // namespace neuroscale::model
