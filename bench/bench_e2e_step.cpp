// A training step of BIT's end-to-end model (core/llm/neural_lm.h) without its encoder:
// encoder outputs -> projector -> the prompt, neural tokens and sentence as input embeddings
// of a frozen causal LM with rank-8 LoRA adapters on all seven projections -> summed
// cross-entropy of the sentence and EOS + the aligner's InfoNCE -> backward -> AdamW over the
// projector, aligner and adapters. The LM is a Hugging Face directory made by
// bench/lm_generate_peer.py; the inputs are drawn from a fixed seed as bench/e2e_step_peer.py
// draws them. Prints one line: the step time, the median of 5 steps after 2 warm-ups.
// usage: bench_e2e_step DIR THREADS BATCH
#include <torch/torch.h>

#include <cstdio>
#include <iostream>

#include "bench/bench_common.h"
#include "core/host_allocator.h"
#include "core/llm/neural_lm.h"
#include "core/optim/optimizer.h"
#include "core/optim/param_groups.h"
#include "io/llm/hf_model.h"

int main(int argc, char** argv) {
  using namespace neuroscale;
  tune_host_allocator();  // as the neuroscale executable does
  if (argc != 4) {
    std::cerr << "usage: bench_e2e_step DIR THREADS BATCH\n";
    return 2;
  }
  const int threads = std::stoi(argv[2]);
  const auto batch = std::stoll(argv[3]);
  constexpr std::int64_t kWidth = 384, kTokens = 40;  // BIT's encoder width; 4 s of 100 ms tokens
  at::set_num_threads(threads);
  torch::manual_seed(0);
  auto lm = io::load_hf_causal_lm(
      argv[1], {}, "", model::LoraOptions().rank(8).alpha(32).dropout(0.0),
      {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"});
  model::freeze_all_but_lora(*lm.model);
  const auto vocab = lm.model->options().vocab();
  model::BitEncoderOptions encoder;
  encoder.transformer().hidden(kWidth).heads(6).mlp(512).layers(1);
  encoder.subjects({{"s", 8}});
  llm::NeuralLm model(llm::NeuralLmOptions().encoder(encoder), lm.model);
  model->train();
  optim::ParamGroup group;  // the projector, aligner and adapters (the encoder is not run)
  group.name = "all";
  std::int64_t values = 0;
  for (auto& item : model->named_parameters()) {
    if (!item.value().requires_grad() || item.key().rfind("encoder.", 0) == 0) continue;
    group.names.push_back(item.key());
    group.params.push_back(item.value());
    values += item.value().numel();
  }
  optim::AdamW optimizer({group});
  const auto encoded = at::randn({batch, kTokens, kWidth});
  const auto valid = at::randint(kTokens / 2, kTokens + 1, {batch}, at::kLong);
  auto ids = [&](std::int64_t n) {
    const auto t = at::randint(2, vocab, {n}, at::kLong);
    return std::vector<std::int64_t>(t.data_ptr<std::int64_t>(), t.data_ptr<std::int64_t>() + n);
  };
  const auto prompt_a = ids(8), prompt_b = ids(12);
  std::vector<std::vector<std::int64_t>> sentences, targets;
  for (std::int64_t b = 0; b < batch; ++b) {
    sentences.push_back(ids(12));
    targets.push_back(sentences.back());
    targets.back().push_back(1);
  }
  auto step = [&] {
    optimizer.zero_grad();
    const auto projected = model->project(encoded);
    const auto s = model->sequences(projected, valid, prompt_a, prompt_b, targets);
    (model->cross_entropy_sum(s) + model->contrastive_loss(projected, valid, sentences)).backward();
    optimizer.step(5e-5);
  };
  step();
  step();
  std::vector<double> times;
  for (int i = 0; i < 5; ++i) {
    const auto start = bench::Clock::now();
    step();
    times.push_back(bench::seconds(start));
  }
  std::printf("neuroscale threads=%d batch=%lld tokens=%lld trainable=%lld step_ms=%.1f\n", threads,
              static_cast<long long>(batch), static_cast<long long>(kTokens),
              static_cast<long long>(values), 1e3 * bench::median(times));
  return 0;
}
