// The machine's limit that the compute benchmarks report against: the best rate of a few
// 2048^3 matmuls through LibTorch (so through the BLAS LibTorch uses), in GFLOP/s.
#pragma once

#include <torch/torch.h>

#include <algorithm>
#include <chrono>

namespace neuroscale::bench {

// Best of `repeats` products of two random 2048 x 2048 matrices of `dtype`.
inline double gemm_peak_gflops(torch::Dtype dtype = torch::kFloat, int repeats = 6) {
  const std::int64_t n = 2048;
  const auto options = torch::TensorOptions().dtype(dtype);
  auto a = torch::randn({n, n}, options), b = torch::randn({n, n}, options),
       c = torch::empty({n, n}, options);
  double best = 0.0;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    at::mm_out(c, a, b);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, 2.0 * n * n * n / seconds / 1e9);
  }
  return best;
}

}  // namespace neuroscale::bench
