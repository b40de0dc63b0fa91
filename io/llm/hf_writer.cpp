#include "io/llm/hf_writer.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>

#include "core/check.h"
#include "core/json.h"
#include "core/model/lora.h"
#include "io/fs/directory_swap.h"
#include "io/fs/files.h"
#include "io/llm/hf_config.h"
#include "io/llm/tokenizer.h"
#include "io/tensors/safetensors.h"

namespace neuroscale::io {
namespace {

// PreTrainedTokenizerFast over tokenizer.json, with the model's special tokens by name.
std::string tokenizer_config_json(const llm::CausalLmOptions& options,
                                  const std::string& tokenizer_json) {
  const auto tokenizer = BpeTokenizer::from_json(tokenizer_json, "the tokenizer to write");
  nlohmann::ordered_json config = {{"tokenizer_class", "PreTrainedTokenizerFast"},
                                   {"model_max_length", options.max_positions()},
                                   {"clean_up_tokenization_spaces", false}};
  if (options.bos() >= 0) config["bos_token"] = tokenizer.token(options.bos());
  if (!options.eos().empty()) config["eos_token"] = tokenizer.token(options.eos().front());
  if (options.pad() >= 0) config["pad_token"] = tokenizer.token(options.pad());
  return json_document(config);
}

}  // namespace

void write_hf_causal_lm(const std::string& directory, llm::CausalLmImpl& model,
                        const std::string& tokenizer_json, bool keep_dtype) {
  torch::NoGradGuard no_grad;
  // Base weights, adapters merged: a LoraLinear's weight + scaling * lora_B @ lora_A.
  NamedTensors tensors;
  std::map<std::string, at::Tensor> adapters;
  for (const auto& item : model.named_parameters()) {
    if (model::is_lora_parameter(item.key())) adapters[item.key()] = item.value();
  }
  for (const auto& item : model.named_parameters()) {
    const auto& name = item.key();
    if (model::is_lora_parameter(name)) continue;
    auto value = item.value().detach();
    const auto stem = name.size() > 7 && name.compare(name.size() - 7, 7, ".weight") == 0
                          ? name.substr(0, name.size() - 7)
                          : std::string();
    if (!stem.empty() && adapters.count(stem + ".lora_A") > 0) {
      const auto& a = adapters.at(stem + ".lora_A");
      const auto& b = adapters.at(stem + ".lora_B");
      const double scaling =
          model.options().lora().alpha() / static_cast<double>(model.options().lora().rank());
      value = (value.to(at::kFloat) + at::mm(b.to(at::kFloat), a.to(at::kFloat)) * scaling)
                  .to(value.scalar_type());
    }
    tensors.emplace_back(name, keep_dtype ? value.cpu() : value.to(at::kCPU, at::kFloat));
  }
  auto options = model.options();
  options.lora(model::LoraOptions{}).lora_targets({});

  write_directory_atomically(directory, [&](const std::string& temporary) {
    write_file_atomically(temporary + "/config.json", hf_config_json(options));
    write_safetensors(temporary + "/model.safetensors", tensors, {{"format", "pt"}});
    write_file_atomically(temporary + "/tokenizer.json", tokenizer_json);
    write_file_atomically(temporary + "/tokenizer_config.json",
                          tokenizer_config_json(options, tokenizer_json));
  });
}

}  // namespace neuroscale::io
