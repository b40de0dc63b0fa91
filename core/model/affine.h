// x·Wᵀ + b for the linear layers, with a kernel for products of few rows.
//
// A decoding step multiplies one row per sequence (or beam) by every weight matrix: it reads
// each weight once and does a handful of multiply-adds per byte. MKL's GEMM runs such skinny
// products at about 10 GB/s of weights on a machine that reads memory at 40 GB/s, so for
// float32 CPU products of few rows with gradients off, a kernel that streams each weight row
// once (AVX-512, or AVX2 with FMA, chosen at run time; bench/lm_generate.sh) replaces it,
// its columns split over the intra-op threads. Everything else (anything with gradients on,
// bf16, CUDA, many rows, CPUs without either) goes to addmm/mm.
#pragma once

#include <ATen/core/Tensor.h>

namespace neuroscale::model {

// rows [M, in] x weight [out, in]ᵀ + bias [out] (undefined: none) -> [M, out].
at::Tensor affine(const at::Tensor& rows, const at::Tensor& weight, const at::Tensor& bias);

// Whether affine() would use the few-rows kernel for an [M, in] x [out, in]ᵀ product of
// these tensors (for tests and benchmarks).
bool uses_few_rows_kernel(const at::Tensor& rows, const at::Tensor& weight);

}  // namespace neuroscale::model
