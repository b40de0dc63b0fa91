// A LoRA training step of the engine's causal LM (core/llm + core/task/causal_lm_task.h):
// forward over a batch of token sequences, the next-token cross-entropy, backward into rank-8
// adapters on all seven projections (the base frozen), AdamW. The model is a Hugging Face
// directory made by bench/lm_generate_peer.py. Prints one line: the step time, the median of
// 5 steps after 2 warm-ups, and the peak resident memory. `packed` packs the frozen base
// weights for MKL's packed GEMM first (CausalLmImpl::pack_frozen_weights, both directions;
// prints packed_gemm=unavailable where LibTorch has none).
// usage: bench_lm_lora_step DIR THREADS BATCH LENGTH [packed]
#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "bench/bench_common.h"
#include "bench/process_memory.h"
#include "core/host_allocator.h"
#include "core/model/packed_gemm.h"
#include "core/optim/optimizer.h"
#include "core/optim/param_groups.h"
#include "core/task/causal_lm_task.h"
#include "io/llm/hf_model.h"

int main(int argc, char** argv) {
  using namespace neuroscale;
  tune_host_allocator();  // as the neuroscale executable does
  const bool packed = argc == 6 && std::string(argv[5]) == "packed";
  if (argc != 5 && !packed) {
    std::cerr << "usage: bench_lm_lora_step DIR THREADS BATCH LENGTH [packed]\n";
    return 2;
  }
  const int threads = std::stoi(argv[2]);
  const auto batch_size = std::stoll(argv[3]), length = std::stoll(argv[4]);
  at::set_num_threads(threads);
  torch::manual_seed(0);
  auto lm = io::load_hf_causal_lm(
      argv[1], {}, "", model::LoraOptions().rank(8).alpha(32).dropout(0.0),
      {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"});
  const auto trainable = model::freeze_all_but_lora(*lm.model);
  if (packed && !model::packed_gemm_available()) {
    std::printf("neuroscale-packed packed_gemm=unavailable\n");
    return 0;
  }
  if (packed) lm.model->pack_frozen_weights(/*with_gradient=*/true);
  lm.model->train();
  task::CausalLmTask task(lm.model);
  optim::AdamW optimizer(optim::weight_decay_groups(*lm.model, 0.0));
  Batch batch;
  batch.tokens = at::randint(2, lm.model->options().vocab(), {batch_size, length}, at::kLong);
  batch.bins = at::full({batch_size}, length, at::kLong);
  for (std::int64_t i = 0; i < batch_size; ++i) batch.trials.push_back(i);
  auto step = [&] {
    optimizer.zero_grad();
    task.forward(batch, {0}).loss.backward();
    optimizer.step(1e-4);
  };
  step();
  step();
  std::vector<double> times;
  for (int i = 0; i < 5; ++i) {
    const auto start = bench::Clock::now();
    step();
    times.push_back(bench::seconds(start));
  }
  std::printf(
      "neuroscale%s threads=%d batch=%lld length=%lld trainable=%lld peak_rss_mb=%.0f "
      "step_ms=%.1f\n",
      packed ? "-packed" : "", threads, static_cast<long long>(batch_size),
      static_cast<long long>(length), static_cast<long long>(trainable),
      bench::status_kib("VmHWM:") / 1024.0, 1e3 * bench::median(times));
  return 0;
}
