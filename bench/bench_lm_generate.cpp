// Generation throughput of the engine's causal LM (core/llm/generation.h) on a Hugging Face
// directory made by bench/lm_generate_peer.py: greedy or beam search over its prompts.json,
// EOS disabled so every run generates NEW_TOKENS per sequence. Prints one line: generated
// tokens per second, the median of 5 runs after a warm-up.
// usage: bench_lm_generate DIR THREADS BEAMS NEW_TOKENS
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "bench/bench_common.h"
#include "core/llm/generation.h"
#include "io/fs/files.h"
#include "io/llm/hf_model.h"

int main(int argc, char** argv) {
  using namespace neuroscale;
  if (argc != 5) {
    std::cerr << "usage: bench_lm_generate DIR THREADS BEAMS NEW_TOKENS\n";
    return 2;
  }
  const std::string dir = argv[1];
  const int threads = std::stoi(argv[2]);
  const auto beams = std::stoll(argv[3]), new_tokens = std::stoll(argv[4]);
  at::set_num_threads(threads);
  auto lm = io::load_hf_causal_lm(dir);
  const auto prompts = nlohmann::json::parse(io::read_file(dir + "/prompts.json").value())
                           .get<std::vector<std::vector<std::int64_t>>>();
  llm::GenerationOptions options;
  options.max_new_tokens(new_tokens).beams(beams).stop_at_eos(false);
  auto once = [&] { return llm::generate(*lm.model, prompts, options); };
  once();
  std::vector<double> times;
  for (int i = 0; i < 5; ++i) {
    const auto start = bench::Clock::now();
    const auto out = once();
    times.push_back(bench::seconds(start));
    for (const auto& hypotheses : out) {
      if (static_cast<std::int64_t>(hypotheses.front().tokens.size()) != new_tokens) {
        std::cerr << "bench_lm_generate: a hypothesis ended early\n";
        return 1;
      }
    }
  }
  const double seconds = bench::median(times);
  const auto tokens = static_cast<double>(prompts.size() * static_cast<std::size_t>(new_tokens));
  std::printf("neuroscale beams=%lld threads=%d tokens=%.0f seconds=%.4f tokens_per_s=%.1f\n",
              static_cast<long long>(beams), threads, tokens, seconds, tokens / seconds);
  return 0;
}
