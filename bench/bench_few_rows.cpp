// The few-rows product (core/model/affine.h) against LibTorch's at::mm (MKL) on the weight
// matrices of one decoding step of the 100M model of bench/lm_generate.sh (12 layers of
// q/k/v/o and a SiLU-gated MLP, 768 wide, 4 KV heads, MLP 2048, a tied 32,000-word head:
// 400 MB of float32 weights, more than the caches hold), for 4 to 64 rows. Prints one line
// per row count: the best of 6 passes over the 85 matrices for each side, alternating, and
// the ratio; affine() takes the kernel up to few_rows_limit() rows.
// usage: bench_few_rows [THREADS]
#include <ATen/ATen.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "core/model/affine.h"
#include "core/model/few_rows_kernel.h"

namespace {

std::vector<at::Tensor> step_weights() {
  constexpr std::int64_t kHidden = 768, kKv = 256, kMlp = 2048, kVocab = 32000;
  const std::vector<std::pair<std::int64_t, std::int64_t>> layer = {
      {kHidden, kHidden}, {kKv, kHidden},  {kKv, kHidden}, {kHidden, kHidden},
      {kMlp, kHidden},    {kMlp, kHidden}, {kHidden, kMlp}};
  std::vector<at::Tensor> weights;
  for (int l = 0; l < 12; ++l) {
    for (const auto& [out, in] : layer) weights.push_back(at::randn({out, in}) * 0.03);
  }
  weights.push_back(at::randn({kVocab, kHidden}) * 0.03);
  return weights;
}

}  // namespace

int main(int argc, char** argv) {
  namespace model = neuroscale::model;
  const int threads = argc > 1 ? std::stoi(argv[1]) : 2;
  at::set_num_threads(threads);
  at::manual_seed(0);
  if (model::few_rows_isa() == model::FewRowsIsa::kNone) {
    std::printf("this CPU has neither AVX2+FMA nor AVX-512: no few-rows kernel to measure\n");
    return 0;
  }
  const at::NoGradGuard no_grad;
  const auto weights = step_weights();
  for (const std::int64_t rows : {4, 8, 16, 24, 32, 48, 64}) {
    std::vector<at::Tensor> inputs;
    for (const auto& w : weights) inputs.push_back(at::randn({rows, w.size(1)}));
    const auto pass = [&](bool kernel) {
      const auto start = std::chrono::steady_clock::now();
      for (std::size_t i = 0; i < weights.size(); ++i) {
        if (kernel) {
          auto y = at::empty({rows, weights[i].size(0)});
          const model::FewRowsProduct product{
              inputs[i].data_ptr<float>(), weights[i].data_ptr<float>(),
              y.data_ptr<float>(),         rows,
              weights[i].size(1),          weights[i].size(0)};
          at::parallel_for(0, product.n, 64, [&](std::int64_t begin, std::int64_t end) {
            model::few_rows_columns(model::few_rows_isa(), product, begin, end);
          });
        } else {
          at::mm(inputs[i], weights[i].t());
        }
      }
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    double best_kernel = 1e30, best_mkl = 1e30;
    for (int round = 0; round < 6; ++round) {
      best_kernel = std::min(best_kernel, pass(true));
      best_mkl = std::min(best_mkl, pass(false));
    }
    const bool taken = model::uses_few_rows_kernel(inputs.front(), weights.front());
    std::printf(
        "rows=%lld threads=%d kernel_ms=%.1f mm_ms=%.1f ratio=%.2f affine_takes_kernel=%s\n",
        static_cast<long long>(rows), threads, best_kernel * 1e3, best_mkl * 1e3,
        best_mkl / best_kernel, taken ? "yes" : "no");
  }
  return 0;
}
