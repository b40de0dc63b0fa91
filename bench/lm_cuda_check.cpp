// The causal LM on a CUDA device, against itself on the CPU and against transformers' GPU
// generation rate. Built by bench/lm_cuda.sh from the core sources it needs and any PyTorch
// 2.x's LibTorch, so it runs on a GPU machine that has PyTorch but none of the engine's other
// dependencies.
//   1. correctness: a tiny random model (Qwen2-style biases, 4 heads over 2 KV heads) on the
//      GPU in float32 gives the CPU's logits for a left-padded batch at its real positions
//      (within 1e-4 of the largest), the same greedy and 4-beam tokens, and bfloat16 logits within
//      2% of the CPU's bfloat16;
//   2. speed: a random model of Qwen2.5-1.5B's shape in bfloat16 generates 64 tokens for 8
//      prompts of 32 tokens, greedy and 4 beams, EOS disabled: tokens/s, the median of 3 runs.
// Exits 77 without a CUDA device, 1 on a mismatch.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>

#include "core/llm/causal_lm.h"
#include "core/llm/generation.h"

using namespace neuroscale::llm;

namespace {

// Max |a - b| / max |b| over the real (mask 1) positions of [B, T, V] logits; padding
// positions attend to nothing and their values are not defined.
double relative_error(const at::Tensor& a, const at::Tensor& b, const at::Tensor& mask) {
  const auto real = mask.to(at::kBool).unsqueeze(2).expand_as(b);
  const auto x = a.to(at::kCPU, at::kFloat).masked_select(real),
             y = b.to(at::kCPU, at::kFloat).masked_select(real);
  return (x - y).abs().max().item<double>() / y.abs().max().item<double>();
}

std::vector<std::vector<std::int64_t>> tokens_of(const std::vector<std::vector<Hypothesis>>& all) {
  std::vector<std::vector<std::int64_t>> out;
  for (const auto& per_prompt : all) {
    for (const auto& h : per_prompt) out.push_back(h.tokens);
  }
  return out;
}

}  // namespace

int main() {
  if (!torch::cuda::is_available()) {
    std::printf("SKIPPED: no CUDA device\n");
    return 77;
  }
  torch::NoGradGuard no_grad;
  int failures = 0;
  // ---- 1. correctness
  torch::manual_seed(3);
  auto options = CausalLmOptions::tiny();
  options.qkv_bias(true).tie_embeddings(true).eos({511});
  CausalLm cpu(options);
  for (auto& p : cpu->parameters()) p.mul_(8.0);  // sharp logits: arg-max far from ties
  cpu->eval();
  CausalLm gpu(options, false);
  {
    auto target = gpu->named_parameters();
    for (const auto& item : cpu->named_parameters())
      target[item.key()].set_data(item.value().to(at::kCUDA));
  }
  gpu->eval();
  const std::vector<std::vector<std::int64_t>> prompts = {
      {5, 17, 99, 3, 250, 8}, {42, 7, 7}, {200, 1, 64, 31}};
  const auto [ids, mask] = left_pad(prompts, 0);
  const auto reference = cpu->forward(ids, mask);
  const double fp32 = relative_error(gpu->forward(ids.cuda(), mask.cuda()), reference, mask);
  std::printf("float32 logits on the GPU: max |diff| / max |logit| = %.2e\n", fp32);
  failures += fp32 > 1e-4;
  for (const auto beams : {1, 4}) {
    GenerationOptions generation;
    generation.max_new_tokens(12).beams(beams).nbest(beams);
    const bool same = tokens_of(generate(*cpu, prompts, generation)) ==
                      tokens_of(generate(*gpu, prompts, generation));
    std::printf("%d beam(s): GPU tokens %s the CPU's\n", beams, same ? "equal" : "DIFFER FROM");
    failures += !same;
  }
  // bfloat16: the GPU against the CPU in the same dtype (the device's kernels are what is
  // checked), and, for the record, against float32.
  gpu->to(at::kBFloat16);
  cpu->to(at::kBFloat16);
  const auto gpu16 = gpu->forward(ids.cuda(), mask.cuda());
  const double bf16 = relative_error(gpu16, cpu->forward(ids, mask).to(at::kFloat), mask);
  std::printf(
      "bfloat16 logits on the GPU against the CPU's bfloat16: max |diff| / max |logit| = %.2e "
      "(against float32: %.2e)\n",
      bf16, relative_error(gpu16, reference, mask));
  failures += bf16 > 2e-2;

  // ---- 2. speed at Qwen2.5-1.5B's shape
  CausalLmOptions big;
  big.family("qwen2").vocab(151936).hidden(1536).intermediate(8960).layers(28).heads(12).kv_heads(
      2);
  big.rms_eps(1e-6).rope_theta(1e6).max_positions(4096).tie_embeddings(true).qkv_bias(true).eos(
      {151645});
  CausalLm model(big, false);
  model->to(at::kCUDA, at::kBFloat16);
  for (auto& p : model->parameters()) p.normal_(0.0, 0.02);
  model->eval();
  std::vector<std::vector<std::int64_t>> batch;
  for (int b = 0; b < 8; ++b) {
    std::vector<std::int64_t> prompt;
    for (int t = 0; t < 32; ++t) prompt.push_back(1000 + 37 * b + 11 * t);
    batch.push_back(prompt);
  }
  for (const auto beams : {1, 4}) {
    GenerationOptions generation;
    generation.max_new_tokens(64).beams(beams).stop_at_eos(false);
    generate(*model, batch, generation);
    std::vector<double> times;
    for (int i = 0; i < 3; ++i) {
      torch::cuda::synchronize();
      const auto start = std::chrono::steady_clock::now();
      generate(*model, batch, generation);
      torch::cuda::synchronize();
      times.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(times.begin(), times.end());
    std::printf(
        "neuroscale qwen2.5-1.5b-shape bf16 beams=%d tokens=%d seconds=%.3f tokens_per_s=%.1f\n",
        beams, 8 * 64, times[1], 8 * 64 / times[1]);
  }
  std::printf("%s\n", failures == 0 ? "GPU checks passed" : "GPU CHECKS FAILED");
  return failures == 0 ? 0 : 1;
}
