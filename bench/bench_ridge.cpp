// The voxelwise bootstrap ridge of the brain-alignment evaluation (core/encoding/ridge) on a
// random design of the given size, against the float64 GEMM peak measured in the same
// process (a large double matmul through LibTorch). bench/ridge.sh runs it beside the
// reference's NumPy implementation (ridge_utils' bootstrap_ridge with use_corr=False, as
// tests/core/encoding_reference.py carries it).
//
// usage: bench_ridge [--rows 4000] [--features 768] [--voxels 8192] [--repeats 2] [--threads N]
// Prints one line of key=value pairs (fit_ms, gflop, gflops, dgemm_peak_gflops,
// peak_fraction), the best of `repeats` fits.
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "bench/bench_common.h"
#include "bench/gemm_peak.h"
#include "core/encoding/ridge.h"

namespace ns = neuroscale;

namespace {

// GEMM FLOPs of a fit with a full-rank design (the SVDs are not counted): per bootstrap,
// U^T Y on the training rows, the held-out design times V, and one prediction per alpha;
// then U^T Y and V (D U^T Y) on all rows.
double fit_flops(double rows, double features, double voxels, const ns::encoding::RidgeOptions& o) {
  const double held = std::floor(0.25 * rows / static_cast<double>(o.chunk_length())) *
                      static_cast<double>(o.chunk_length());
  const double k = features, alphas = static_cast<double>(o.alphas().size());
  const double bootstrap = 2.0 * k * (rows - held) * voxels + 2.0 * held * features * k +
                           alphas * 2.0 * held * k * voxels;
  return static_cast<double>(o.bootstraps()) * bootstrap + 2.0 * k * rows * voxels +
         2.0 * features * k * voxels;
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t rows = 4000, features = 768, voxels = 8192, repeats = 2, threads = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--rows")
      rows = std::stoll(value);
    else if (flag == "--features")
      features = std::stoll(value);
    else if (flag == "--voxels")
      voxels = std::stoll(value);
    else if (flag == "--repeats")
      repeats = std::stoll(value);
    else if (flag == "--threads")
      threads = std::stoll(value);
    else {
      std::fprintf(stderr, "bench_ridge: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (threads > 0) torch::set_num_threads(static_cast<int>(threads));
  torch::manual_seed(0);
  const auto options = torch::TensorOptions().dtype(torch::kDouble);
  const auto x = torch::randn({rows, features}, options);
  const auto y =
      x.mm(torch::randn({features, voxels}, options) / std::sqrt(static_cast<double>(features))) +
      torch::randn({rows, voxels}, options);
  const ns::encoding::RidgeOptions ridge;

  double best = 1e300;
  for (std::int64_t r = 0; r < repeats; ++r) {
    const auto start = ns::bench::Clock::now();
    const auto fit = ns::encoding::bootstrap_ridge(x, y, ridge);
    best = std::min(best, ns::bench::seconds(start));
  }
  const double flops = fit_flops(static_cast<double>(rows), static_cast<double>(features),
                                 static_cast<double>(voxels), ridge);
  const double peak = ns::bench::gemm_peak_gflops(torch::kDouble, 4);
  std::printf(
      "impl=libtorch threads=%d rows=%lld features=%lld voxels=%lld fit_ms=%.0f gflop=%.1f "
      "gflops=%.1f "
      "dgemm_peak_gflops=%.1f peak_fraction=%.3f\n",
      torch::get_num_threads(), static_cast<long long>(rows), static_cast<long long>(features),
      static_cast<long long>(voxels), best * 1e3, flops / 1e9, flops / best / 1e9, peak,
      flops / best / 1e9 / peak);
  return 0;
}
