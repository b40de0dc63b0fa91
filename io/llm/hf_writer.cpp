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
#include "io/fs/files.h"
#include "io/llm/hf_config.h"
#include "io/llm/tokenizer.h"
#include "io/tensors/safetensors.h"

namespace neuroscale::io {
namespace {

void remove_tree(const std::string& path) {
  // The directories written here hold only files: unlink them, then the directory.
  for (const char* name :
       {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"}) {
    const std::string file = path + "/" + name;
    if (path_exists(file)) ::unlink(file.c_str());
  }
  ::rmdir(path.c_str());
}

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

  const std::string temporary = directory + ".tmp." + std::to_string(::getpid());
  if (path_exists(temporary)) remove_tree(temporary);
  create_directories(temporary);
  try {
    write_file_atomically(temporary + "/config.json", hf_config_json(options));
    write_safetensors(temporary + "/model.safetensors", tensors, {{"format", "pt"}});
    write_file_atomically(temporary + "/tokenizer.json", tokenizer_json);
    write_file_atomically(temporary + "/tokenizer_config.json",
                          tokenizer_config_json(options, tokenizer_json));
  } catch (...) {
    remove_tree(temporary);
    throw;
  }
  const std::string previous = directory + ".old." + std::to_string(::getpid());
  const bool replacing = path_exists(directory);
  if (replacing) {
    NS_CHECK_AS(DataError, ::rename(directory.c_str(), previous.c_str()) == 0, "cannot move '",
                directory, "' aside to replace it: ", std::strerror(errno));
  }
  if (::rename(temporary.c_str(), directory.c_str()) != 0) {
    const int error = errno;
    if (replacing) ::rename(previous.c_str(), directory.c_str());
    remove_tree(temporary);
    NS_THROW(DataError, "cannot rename '", temporary, "' to '", directory,
             "': ", std::strerror(error));
  }
  if (replacing) remove_tree(previous);
  fsync_path(directory);
}

}  // namespace neuroscale::io
