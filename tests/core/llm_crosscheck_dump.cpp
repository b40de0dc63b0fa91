// Runs the engine's causal LM on the tiny models tests/core/llm_reference.py made, for that
// script to compare with transformers: usage `llm_crosscheck_dump DIR`. For each of
// DIR/qwen2 and DIR/llama writes ours.safetensors (logits of the left-padded prompts in
// float32 and in bfloat16) and ours.json (greedy and beam-search generations); for DIR/lora
// (a Llama model and PEFT adapters) the logits and the adapters' gradients of the summed
// log-likelihood.
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <iostream>

#include "core/llm/causal_lm.h"
#include "core/llm/generation.h"
#include "io/fs/files.h"
#include "io/llm/hf_config.h"
#include "io/llm/hf_model.h"
#include "io/llm/llm_weights.h"
#include "io/tensors/safetensors.h"

namespace {

using neuroscale::llm::CausalLm;

CausalLm load(const std::string& dir, at::ScalarType dtype) {
  CausalLm model(neuroscale::io::read_hf_config(dir + "/config.json"), false);
  neuroscale::io::LlmWeightsOptions options;
  options.dtype = dtype;
  neuroscale::io::load_llm_weights(dir, *model, options);
  model->eval();
  return model;
}

nlohmann::json hypotheses(const std::vector<std::vector<neuroscale::llm::Hypothesis>>& all,
                          bool with_scores) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& per_prompt : all) {
    if (!with_scores) {
      out.push_back(per_prompt.front().tokens);
      continue;
    }
    nlohmann::json list = nlohmann::json::array();
    for (const auto& h : per_prompt) list.push_back({{"tokens", h.tokens}, {"score", h.score}});
    out.push_back(list);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: llm_crosscheck_dump DIR\n";
    return 2;
  }
  for (const std::string family : {"qwen2", "llama"}) {
    const std::string dir = std::string(argv[1]) + "/" + family;
    const auto inputs =
        nlohmann::json::parse(neuroscale::io::read_file(dir + "/inputs.json").value());
    const auto prompts = inputs["prompts"].get<std::vector<std::vector<std::int64_t>>>();
    const auto [ids, mask] = neuroscale::llm::left_pad(prompts, inputs["pad"].get<std::int64_t>());
    torch::NoGradGuard no_grad;
    auto model = load(dir, at::kFloat);
    auto model16 = load(dir, at::kBFloat16);
    neuroscale::io::write_safetensors(
        dir + "/ours.safetensors", {{"logits", model->forward(ids, mask)},
                                    {"logits_bf16", model16->forward(ids, mask).to(at::kFloat)}});
    neuroscale::llm::GenerationOptions greedy;
    greedy.max_new_tokens(inputs["max_new_tokens"].get<std::int64_t>());
    auto beam = greedy;
    beam.beams(inputs["beams"].get<std::int64_t>()).nbest(beam.beams());
    const nlohmann::json out = {
        {"greedy", hypotheses(neuroscale::llm::generate(*model, prompts, greedy), false)},
        {"beam", hypotheses(neuroscale::llm::generate(*model, prompts, beam), true)}};
    neuroscale::io::write_file_atomically(dir + "/ours.json", out.dump());
  }
  // LoRA on all seven projections: the adapters PEFT had, then logits and gradients.
  const std::string lora_dir = std::string(argv[1]) + "/lora";
  auto lora = neuroscale::io::load_hf_causal_lm(
      lora_dir, {}, "", neuroscale::model::LoraOptions().rank(4).alpha(8).dropout(0.0),
      {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"});
  auto& model = *lora.model;
  {
    torch::NoGradGuard no_grad;
    auto parameters = model.named_parameters();
    for (const auto& [name, value] :
         neuroscale::io::read_safetensors(lora_dir + "/adapters.safetensors").tensors) {
      parameters[name].copy_(value);
    }
  }
  neuroscale::model::freeze_all_but_lora(model);
  const auto inputs =
      nlohmann::json::parse(neuroscale::io::read_file(lora_dir + "/inputs.json").value());
  const auto rows = inputs["ids"].get<std::vector<std::vector<std::int64_t>>>();
  std::vector<at::Tensor> row_tensors;
  for (const auto& row : rows) row_tensors.push_back(at::tensor(row));
  const auto ids = at::stack(row_tensors);
  const auto logits = model.forward(ids);
  const auto log_probs = at::log_softmax(logits.narrow(1, 0, ids.size(1) - 1), -1);
  log_probs.gather(2, ids.narrow(1, 1, ids.size(1) - 1).unsqueeze(2)).sum().backward();
  neuroscale::io::NamedTensors out = {{"logits", logits.detach()}};
  for (const auto& item : model.named_parameters()) {
    if (neuroscale::model::is_lora_parameter(item.key()))
      out.emplace_back("grad." + item.key(), item.value().grad());
  }
  neuroscale::io::write_safetensors(lora_dir + "/ours.safetensors", out);
  return 0;
}
