// The few-rows product behind model::affine(): y = x·Wᵀ for x [M, K] with M small, W [N, K]
// row-major, y [M, N]; each call computes the output columns [first, end). Compiled for
// AVX-512 and for AVX2+FMA with target attributes and chosen by the CPU the process runs on.
#pragma once

#include <cstdint>

namespace neuroscale::model {

enum class FewRowsIsa { kNone, kAvx2, kAvx512 };

// The best kernel this CPU runs (kNone off x86-64 or without AVX2+FMA).
FewRowsIsa few_rows_isa();

// The most rows for which the kernel beats MKL's GEMM on the benchmark's model
// (bench_few_rows, docs/benchmarks.md): 32 with AVX-512 (1.4x MKL there, 1.0-1.1x at 48
// and 64 rows), 4 with AVX2.
std::int64_t few_rows_limit(FewRowsIsa isa);

struct FewRowsProduct {
  const float* x;  // [m, k], contiguous
  const float* w;  // [n, k], contiguous
  float* y;        // [m, n], contiguous
  std::int64_t m, k, n;
};

// Writes y[:, first:end). `isa` must not be kNone.
void few_rows_columns(FewRowsIsa isa, const FewRowsProduct& p, std::int64_t first,
                      std::int64_t end);

}  // namespace neuroscale::model
