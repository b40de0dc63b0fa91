// Decoding sentences with BIT's end-to-end model (core/llm/neural_lm.h) without its encoder:
// encoder outputs -> projector -> the prompt and neural tokens as left-padded input
// embeddings -> greedy or beam search (core/llm/generation.h), EOS disabled so every
// sentence gets NEW_TOKENS tokens. The LM is a Hugging Face directory made by
// bench/lm_generate_peer.py. Prints one line: sentences per second, the median of 5 runs
// after a warm-up.
// usage: bench_e2e_decode DIR THREADS BATCH BEAMS NEW_TOKENS
#include <torch/torch.h>

#include <cstdio>
#include <iostream>

#include "bench/bench_common.h"
#include "core/llm/generation.h"
#include "core/llm/neural_lm.h"
#include "io/llm/hf_model.h"

int main(int argc, char** argv) {
  using namespace neuroscale;
  if (argc != 6) {
    std::cerr << "usage: bench_e2e_decode DIR THREADS BATCH BEAMS NEW_TOKENS\n";
    return 2;
  }
  const int threads = std::stoi(argv[2]);
  const auto batch = std::stoll(argv[3]), beams = std::stoll(argv[4]);
  const auto new_tokens = std::stoll(argv[5]);
  constexpr std::int64_t kWidth = 384, kTokens = 40;
  at::set_num_threads(threads);
  torch::manual_seed(0);
  auto lm = io::load_hf_causal_lm(argv[1]);
  const auto vocab = lm.model->options().vocab();
  model::BitEncoderOptions encoder;
  encoder.transformer().hidden(kWidth).heads(6).mlp(512).layers(1);
  encoder.subjects({{"s", 8}});
  llm::NeuralLm model(llm::NeuralLmOptions().encoder(encoder), lm.model);
  model->eval();
  const auto encoded = at::randn({batch, kTokens, kWidth});
  const auto valid = at::randint(kTokens / 2, kTokens + 1, {batch}, at::kLong);
  auto ids = [&](std::int64_t n) {
    const auto t = at::randint(2, vocab, {n}, at::kLong);
    return std::vector<std::int64_t>(t.data_ptr<std::int64_t>(), t.data_ptr<std::int64_t>() + n);
  };
  const auto prompt_a = ids(8), prompt_b = ids(12);
  const auto options =
      llm::GenerationOptions().max_new_tokens(new_tokens).beams(beams).stop_at_eos(false);
  auto once = [&] {
    torch::NoGradGuard no_grad;
    const auto [x, mask] =
        model->generation_inputs(model->project(encoded), valid, prompt_a, prompt_b);
    return llm::generate(*model->llm, x, mask, options);
  };
  once();
  std::vector<double> times;
  for (int i = 0; i < 5; ++i) {
    const auto start = bench::Clock::now();
    const auto out = once();
    times.push_back(bench::seconds(start));
    for (const auto& h : out) {
      if (static_cast<std::int64_t>(h.front().tokens.size()) != new_tokens) {
        std::cerr << "bench_e2e_decode: a sentence ended early\n";
        return 1;
      }
    }
  }
  const double seconds = bench::median(times);
  std::printf("neuroscale beams=%lld threads=%d sentences=%lld seconds=%.4f sentences_per_s=%.2f\n",
              static_cast<long long>(beams), threads, static_cast<long long>(batch), seconds,
              static_cast<double>(batch) / seconds);
  return 0;
}
