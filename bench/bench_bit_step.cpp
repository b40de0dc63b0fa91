// One pretraining step of the BIT masked model (forward + backward + AdamW) on random
// z-scored features of one subject, against the GEMM peak measured in the same process (a
// large float32 matmul through LibTorch). bench/bit_step.sh runs it beside the same model
// in PyTorch eager (bench/bit_step_pytorch.py).
//
// usage: bench_bit_step [--size default|small] [--batch 32] [--bins 500] [--channels 512]
//                       [--steps 10] [--threads N] [--trace FILE]
// --trace writes LibTorch's operator profile of the timed steps with input shapes (Chrome
// trace format, as torch.profiler writes it).
// Prints one line of key=value pairs (step_ms, model_gflop, gflops, gemm_peak_gflops,
// peak_fraction).
#include <torch/csrc/autograd/profiler_kineto.h>
#include <torch/torch.h>

#include <memory>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench/gemm_peak.h"
#include "core/optim/optimizer.h"
#include "core/task/masked_modeling.h"

namespace ns = neuroscale;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// GEMM FLOPs of one step as executed: forward, then backward at twice the forward's cost
// (the read-in's Linear computes its input gradient too, for the LayerNorm before it). The read-in
// runs on unmasked tokens only and the read-out on masked ones only (`masked` of them):
// masked tokens are replaced by the mask token, and unmasked ones are never scored.
double step_flops(std::int64_t tokens_per_trial, std::int64_t trials, std::int64_t width,
                  const ns::model::TransformerOptions& t, double masked) {
  const double d = t.hidden(), n = tokens_per_trial, tokens = n * trials;
  const double read = 2.0 * width * d * tokens;
  const double layer = tokens * (2.0 * d * 3 * d + 2.0 * d * d + 2.0 * 2 * d * t.mlp()) +
                       tokens * 2.0 * 2 * n * d;  // Q K^T and P V
  const double forward = read * (1.0 - masked) + read * masked + t.layers() * layer;
  return 3.0 * forward;
}

}  // namespace

int main(int argc, char** argv) {
  std::string size = "default", trace;
  std::int64_t batch_size = 32, bins = 500, channels = 512, steps = 10, threads = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--size")
      size = value;
    else if (flag == "--batch")
      batch_size = std::stoll(value);
    else if (flag == "--bins")
      bins = std::stoll(value);
    else if (flag == "--channels")
      channels = std::stoll(value);
    else if (flag == "--steps")
      steps = std::stoll(value);
    else if (flag == "--threads")
      threads = std::stoll(value);
    else if (flag == "--trace")
      trace = value;
    else {
      std::fprintf(stderr, "bench_bit_step: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (threads > 0) torch::set_num_threads(static_cast<int>(threads));
  torch::manual_seed(0);

  auto transformer = ns::model::TransformerOptions();  // BIT defaults
  if (size == "small") transformer.hidden(128).layers(4).heads(4).mlp(256);
  const auto encoder =
      ns::model::BitEncoderOptions().transformer(transformer).subjects({{"t15", channels}});
  ns::task::MaskedModelingTask task(
      ns::task::MaskedModelingOptions().model(ns::model::MaskedModelOptions().encoder(encoder)));
  auto& module = task.module();
  module.train();
  ns::optim::AdamW optimizer(ns::optim::weight_decay_groups(module, 0.01));

  ns::Batch batch;
  batch.features = torch::randn({batch_size, bins, channels});
  batch.bins = torch::full({batch_size}, bins, torch::kLong);
  for (std::int64_t i = 0; i < batch_size; ++i) batch.trials.push_back(i);

  std::vector<double> times;
  namespace profiler = torch::autograd::profiler;
  bool profiling = false;
  for (std::int64_t step = 0; step < steps + 2; ++step) {
    if (step == 2 && !trace.empty()) {
      profiler::prepareProfiler(
          torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::KINETO,
                                                /*report_input_shapes=*/true),
          {torch::profiler::impl::ActivityType::CPU});
      profiler::enableProfiler(
          torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::KINETO,
                                                /*report_input_shapes=*/true),
          {torch::profiler::impl::ActivityType::CPU});
      profiling = true;
    }
    const auto start = std::chrono::steady_clock::now();
    optimizer.zero_grad();
    auto out = task.forward(batch, {step});
    out.loss.backward();
    optimizer.step(1e-4);
    if (step >= 2) times.push_back(seconds_since(start));  // two warm-up steps
  }
  if (profiling) profiler::disableProfiler()->save(trace);
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  // Every trial is full length, so exactly floor(0.5 * N + 0.5) tokens of each are masked.
  const std::int64_t tokens = (bins + 4) / 5;
  const double masked = static_cast<double>((tokens + 1) / 2) / static_cast<double>(tokens);
  const double flops = step_flops(tokens, batch_size, 5 * channels, transformer, masked);
  const double peak = ns::bench::gemm_peak_gflops();
  std::printf(
      "impl=libtorch size=%s threads=%d step_ms=%.1f model_gflop=%.2f gflops=%.1f "
      "gemm_peak_gflops=%.1f peak_fraction=%.3f\n",
      size.c_str(), torch::get_num_threads(), median * 1e3, flops / 1e9, flops / median / 1e9, peak,
      flops / median / 1e9 / peak);
  return 0;
}
