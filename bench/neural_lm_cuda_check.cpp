// BIT's end-to-end model (core/llm/neural_lm.h with its BIT encoder) on a CUDA device, against
// itself on the CPU. Built by bench/neural_lm_cuda.sh from the core sources it needs and any
// PyTorch 2.x's LibTorch (the GPU machine has none of the engine's other dependencies).
//   1. correctness: a tiny random model (encoder, Linear-ReLU-Linear projector, Qwen2-style LM
//      with rank-8 LoRA on all seven projections, the aligner) gives on the GPU in float32
//      the CPU's cross-entropy and InfoNCE (1e-4 relative) and gradients (1e-3 of each
//      tensor's largest), the same greedy sentence tokens, and under bf16 autocast a loss
//      within 3% of float32's;
//   2. speed: BIT's sizes (encoder d 384, 7 layers, P 5, 512 channels; an LM of Qwen2.5-1.5B's
//      shape in bfloat16, frozen, with LoRA; bf16 autocast), 8 trials of 4 s with 12-token
//      sentences: training steps (forward, backward, AdamW) per second and trials per second,
//      the median of 5 steps after 2 warm-ups.
// Exits 77 without a CUDA device, 1 on a mismatch.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>

#include "core/autocast.h"
#include "core/llm/generation.h"
#include "core/llm/neural_lm.h"
#include "core/model/patching.h"

using namespace neuroscale;

namespace {

const std::set<std::string> kTargets = {"q_proj",    "k_proj",  "v_proj",   "o_proj",
                                        "gate_proj", "up_proj", "down_proj"};

struct Inputs {
  at::Tensor features, bins;
  std::vector<std::int64_t> prompt_a, prompt_b;
  std::vector<std::vector<std::int64_t>> sentences, targets;
};

llm::NeuralLm build(const llm::CausalLmOptions& lm_options, model::BitEncoderOptions encoder,
                    std::int64_t projector_hidden, std::int64_t aligner) {
  llm::CausalLm lm(lm_options);
  model::freeze_all_but_lora(*lm);
  return llm::NeuralLm(llm::NeuralLmOptions()
                           .encoder(encoder)
                           .projector_hidden(projector_hidden)
                           .aligner_width(aligner),
                       lm);
}

// Cross-entropy + InfoNCE of `in` on the model's device; the parts in `parts`.
at::Tensor loss(llm::NeuralLmImpl& model, const Inputs& in, at::Device device,
                std::vector<double>* parts = nullptr) {
  const auto patch = model.options().encoder().patch_size();
  const auto input = model::patchify(in.features.to(device), in.bins.to(device), patch);
  const auto valid = model::valid_tokens(in.bins, patch);
  const auto projected =
      model.project(model.encode(input.tokens, input.padding, input.positions, 0));
  const auto ce = model.cross_entropy_sum(
      model.sequences(projected, valid, in.prompt_a, in.prompt_b, in.targets));
  const auto contrastive = model.contrastive_loss(projected, valid, in.sentences);
  if (parts) *parts = {ce.item<double>(), contrastive.item<double>()};
  return ce + contrastive;
}

Inputs make_inputs(std::int64_t batch, std::int64_t bins, std::int64_t channels, std::int64_t vocab,
                   std::int64_t eos) {
  Inputs in;
  in.features = at::randn({batch, bins, channels});
  in.bins = at::randint(bins / 2, bins + 1, {batch}, at::kLong);
  in.bins[0] = bins;
  auto ids = [&](std::int64_t n) {
    const auto t = at::randint(2, vocab - 1, {n}, at::kLong);
    return std::vector<std::int64_t>(t.data_ptr<std::int64_t>(), t.data_ptr<std::int64_t>() + n);
  };
  in.prompt_a = ids(5);
  in.prompt_b = ids(7);
  for (std::int64_t b = 0; b < batch; ++b) {
    in.sentences.push_back(ids(6 + b));
    in.targets.push_back(in.sentences.back());
    in.targets.back().push_back(eos);
  }
  return in;
}

int correctness() {
  torch::manual_seed(3);
  auto lm_options = llm::CausalLmOptions()
                        .family("qwen2")
                        .vocab(512)
                        .hidden(128)
                        .intermediate(256)
                        .layers(2)
                        .heads(4)
                        .kv_heads(2)
                        .max_positions(256)
                        .qkv_bias(true)
                        .tie_embeddings(true)
                        .eos({511})
                        .lora(model::LoraOptions().rank(8).alpha(32).dropout(0.0))
                        .lora_targets(kTargets);
  model::BitEncoderOptions encoder;
  encoder.patch_size(2).embedding_dropout(0.0).subjects({{"s", 16}});
  encoder.transformer().hidden(64).heads(4).mlp(128).layers(2).dropout(0.0);
  auto model = build(lm_options, encoder, 96, 32);
  {
    torch::NoGradGuard no_grad;
    for (auto& item : model->named_parameters()) {
      if (item.key().find("lora_B") != std::string::npos) item.value().normal_(0, 0.05);
    }
  }
  const auto in = make_inputs(3, 40, 16, 512, 511);
  std::vector<double> cpu_parts, gpu_parts;
  model->train();
  loss(*model, in, at::kCPU, &cpu_parts).backward();
  std::map<std::string, at::Tensor> cpu_grads;
  for (auto& item : model->named_parameters()) {
    if (item.value().grad().defined()) cpu_grads[item.key()] = item.value().grad().clone();
  }
  model->zero_grad();
  model->to(at::kCUDA);
  loss(*model, in, at::kCUDA, &gpu_parts).backward();
  int failures = 0;
  for (int i = 0; i < 2; ++i) {
    const double error = std::abs(gpu_parts[i] - cpu_parts[i]) / std::abs(cpu_parts[i]);
    std::printf("%s: CPU %.6f, GPU %.6f, relative |diff| %.1e\n",
                i == 0 ? "cross-entropy" : "InfoNCE", cpu_parts[i], gpu_parts[i], error);
    failures += error > 1e-4;
  }
  double worst = 0.0;
  std::string where;
  for (auto& item : model->named_parameters()) {
    if (!cpu_grads.count(item.key())) continue;
    const auto& ref = cpu_grads[item.key()];
    const double error = (item.value().grad().cpu() - ref).abs().max().item<double>() /
                         (ref.abs().max().item<double>() + 1e-12);
    if (error > worst) worst = error, where = item.key();
  }
  std::printf("gradients (%zu tensors): max relative |diff| %.1e (%s)\n", cpu_grads.size(), worst,
              where.c_str());
  failures += worst > 1e-3;
  {
    AutocastGuard autocast(at::kCUDA, true);
    std::vector<double> bf16;
    torch::NoGradGuard no_grad;
    loss(*model, in, at::kCUDA, &bf16);
    const double error = std::abs(bf16[0] - gpu_parts[0]) / std::abs(gpu_parts[0]);
    std::printf("bf16 autocast cross-entropy %.4f vs float32 %.4f: relative |diff| %.1e\n", bf16[0],
                gpu_parts[0], error);
    failures += error > 3e-2;
  }
  model->eval();
  auto greedy = [&](at::Device device) {
    torch::NoGradGuard no_grad;
    model->to(device);
    const auto input = model::patchify(in.features.to(device), in.bins.to(device), 2);
    const auto projected =
        model->project(model->encode(input.tokens, input.padding, input.positions, 0));
    const auto [x, mask] = model->generation_inputs(projected, model::valid_tokens(in.bins, 2),
                                                    in.prompt_a, in.prompt_b);
    std::vector<std::vector<std::int64_t>> out;
    for (const auto& h : llm::generate(
             *model->llm, x, mask, llm::GenerationOptions().max_new_tokens(12).stop_at_eos(false)))
      out.push_back(h.front().tokens);
    return out;
  };
  const bool same = greedy(at::kCUDA) == greedy(at::kCPU);
  std::printf("greedy sentences on the GPU %s the CPU's\n", same ? "equal" : "DIFFER from");
  failures += !same;
  return failures;
}

void speed() {
  torch::manual_seed(5);
  auto lm_options = llm::CausalLmOptions()
                        .family("qwen2")
                        .vocab(151936)
                        .hidden(1536)
                        .intermediate(8960)
                        .layers(28)
                        .heads(12)
                        .kv_heads(2)
                        .max_positions(4096)
                        .rope_theta(1e6)
                        .qkv_bias(true)
                        .tie_embeddings(true)
                        .eos({151643})
                        .lora(model::LoraOptions().rank(8).alpha(32).dropout(0.2))
                        .lora_targets(kTargets);
  model::BitEncoderOptions encoder;
  encoder.patch_size(5).subjects({{"t12", 512}});
  encoder.transformer().hidden(384).heads(6).mlp(512).layers(7);
  auto model = build(lm_options, encoder, 0, 512);
  {
    torch::NoGradGuard no_grad;  // the frozen LM in bfloat16, as sentence.dtype: bfloat16
    for (auto& item : model->llm->named_parameters()) {
      if (!item.value().requires_grad()) item.value().set_data(item.value().to(at::kBFloat16));
    }
  }
  model->to(at::kCUDA);
  model->train();
  std::vector<at::Tensor> trainable;
  for (auto& p : model->parameters()) {
    if (p.requires_grad()) trainable.push_back(p);
  }
  torch::optim::AdamW optimizer(trainable, torch::optim::AdamWOptions(5e-5).weight_decay(1e-5));
  const auto in = make_inputs(8, 200, 512, 151936, 151643);
  auto step = [&] {
    optimizer.zero_grad();
    {
      AutocastGuard autocast(at::kCUDA, true);
      loss(*model, in, at::kCUDA).backward();
    }
    optimizer.step();
    torch::cuda::synchronize();
  };
  step();
  step();
  std::vector<double> times;
  for (int i = 0; i < 5; ++i) {
    const auto start = std::chrono::steady_clock::now();
    step();
    times.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  std::printf(
      "BIT sizes, LM of Qwen2.5-1.5B's shape in bf16, 8 trials of 4 s: %.1f ms per step, "
      "%.1f trials/s\n",
      1e3 * times[2], 8.0 / times[2]);
}

}  // namespace

int main() {
  if (!torch::cuda::is_available()) {
    std::printf("SKIPPED: no CUDA device\n");
    return 77;
  }
  const int failures = correctness();
  speed();
  return failures > 0 ? 1 : 0;
}
