// Runs the engine's end-to-end model (core/llm/neural_lm.h) on what
// tests/core/neural_lm_reference.py made, for that script to compare with transformers +
// PEFT: usage `neural_lm_crosscheck_dump DIR`. Writes DIR/ours.safetensors: the summed
// cross-entropy, the aligner's InfoNCE, their sum, and the gradients of that sum for the
// encoder outputs, the projector, the aligner, the logit scale and the LoRA adapters.
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <iostream>
#include <map>

#include "core/llm/neural_lm.h"
#include "core/model/lora.h"
#include "io/fs/files.h"
#include "io/llm/hf_model.h"
#include "io/tensors/safetensors.h"

namespace ns = neuroscale;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: neural_lm_crosscheck_dump DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  auto lm = ns::io::load_hf_causal_lm(
      dir + "/lm", {}, "", ns::model::LoraOptions().rank(4).alpha(8).dropout(0.0),
      {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"});
  torch::NoGradGuard no_grad_while_loading;
  auto parameters = lm.model->named_parameters();
  for (const auto& [name, tensor] :
       ns::io::read_safetensors(dir + "/adapters.safetensors").tensors) {
    parameters[name].copy_(tensor);
  }
  ns::model::freeze_all_but_lora(*lm.model);

  std::map<std::string, at::Tensor> inputs;
  for (const auto& [name, tensor] : ns::io::read_safetensors(dir + "/inputs.safetensors").tensors)
    inputs[name] = tensor;
  ns::model::BitEncoderOptions encoder;
  encoder.transformer().hidden(16).heads(2).mlp(32).layers(1);
  encoder.subjects({{"s", 4}});
  ns::llm::NeuralLm model(
      ns::llm::NeuralLmOptions().encoder(encoder).projector_hidden(24).aligner_width(32), lm.model);
  auto own = model->named_parameters();
  for (const auto& [name, tensor] : inputs) {
    if (name != "encoded") own[name].copy_(tensor);
  }
  model->eval();
  const auto json = nlohmann::json::parse(ns::io::read_file(dir + "/inputs.json").value());
  const auto sentences = json["sentences"].get<std::vector<std::vector<std::int64_t>>>();
  auto targets = sentences;
  for (auto& t : targets) t.push_back(json["eos"].get<std::int64_t>());
  const auto valid = torch::tensor(json["valid"].get<std::vector<std::int64_t>>());

  torch::GradMode::set_enabled(true);
  const auto encoded = inputs.at("encoded").clone().requires_grad_(true);
  const auto projected = model->project(encoded);
  const auto sequences =
      model->sequences(projected, valid, json["prompt_a"].get<std::vector<std::int64_t>>(),
                       json["prompt_b"].get<std::vector<std::int64_t>>(), targets);
  const auto cross_entropy = model->cross_entropy_sum(sequences);
  const auto contrastive = model->contrastive_loss(projected, valid, sentences);
  const auto loss = cross_entropy + contrastive;
  loss.backward();

  ns::io::NamedTensors out = {{"cross_entropy", cross_entropy.detach()},
                              {"contrastive", contrastive.detach()},
                              {"loss", loss.detach()},
                              {"grad.encoded", encoded.grad()}};
  for (const auto& item : model->named_parameters()) {
    if (!item.value().requires_grad() || !item.value().grad().defined()) continue;
    const auto& name = item.key();
    out.emplace_back("grad." + (name.rfind("llm.", 0) == 0 ? name.substr(4) : name),
                     item.value().grad());
  }
  ns::io::write_safetensors(dir + "/ours.safetensors", out);
  std::cout << "cross-entropy " << cross_entropy.item<double>() << ", contrastive "
            << contrastive.item<double>() << "\n";
  return 0;
}
