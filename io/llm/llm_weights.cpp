#include "io/llm/llm_weights.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <set>

#include "core/check.h"
#include "core/model/lora.h"
#include "core/text.h"
#include "io/fs/files.h"
#include "io/tensors/safetensors.h"

namespace neuroscale::io {
namespace {

// Keys some checkpoints carry that are buffers, not parameters (older Llama exports).
bool is_buffer_key(const std::string& key) {
  return key.size() >= 21 && key.compare(key.size() - 21, 21, "rotary_emb.inv_freq") == 0;
}

}  // namespace

std::vector<std::string> llm_weight_files(const std::string& directory) {
  const std::string single = directory + "/model.safetensors";
  if (is_regular_file(single)) return {single};
  const std::string index_path = directory + "/model.safetensors.index.json";
  NS_CHECK_AS(DataError, is_regular_file(index_path), "'", directory,
              "' has no model.safetensors and no model.safetensors.index.json (a Hugging Face "
              "model directory)");
  const auto text = read_file(index_path);
  NS_CHECK_AS(DataError, text.has_value(), "cannot read '", index_path,
              "': ", std::strerror(errno));
  std::vector<std::string> files;
  try {
    const auto index = nlohmann::json::parse(*text);
    NS_CHECK_AS(
        DataError,
        index.is_object() && index.contains("weight_map") && index["weight_map"].is_object(), "'",
        index_path, "' has no weight_map object");
    std::set<std::string> seen;
    for (const auto& [key, file] : index["weight_map"].items()) {
      NS_CHECK_AS(DataError, file.is_string(), "'", index_path, "': weight_map['", key,
                  "'] is not a file name");
      const auto name = file.get<std::string>();
      NS_CHECK_AS(DataError, name.find('/') == std::string::npos && !name.empty(), "'", index_path,
                  "': weight_map['", key, "'] = '", name, "' is not a file name in the directory");
      if (seen.insert(name).second) files.push_back(directory + "/" + name);
    }
  } catch (const nlohmann::json::exception& error) {
    NS_THROW(DataError, "'", index_path, "' is not valid JSON: ", error.what());
  }
  NS_CHECK_AS(DataError, !files.empty(), "'", index_path, "' lists no weight files");
  for (const auto& file : files) {
    NS_CHECK_AS(DataError, is_regular_file(file), "'", index_path, "' names '", file,
                "', which does not exist");
  }
  return files;
}

LlmWeightsSummary load_llm_weights(const std::string& directory, llm::CausalLmImpl& model,
                                   const LlmWeightsOptions& options) {
  NS_CHECK_AS(UsageError,
              options.dtype == at::kFloat || options.dtype == at::kBFloat16 ||
                  options.dtype == at::ScalarType::Undefined,
              "LLM weights load as float32 or bfloat16, not ", options.dtype);
  LlmWeightsSummary summary;
  summary.files = llm_weight_files(directory);
  std::vector<std::unique_ptr<MappedTensorFile>> files;
  // key (prefix stripped) -> (file, entry)
  std::map<std::string, std::pair<const MappedTensorFile*, const TensorInfo*>> found;
  for (const auto& path : summary.files) {
    files.push_back(std::make_unique<MappedTensorFile>(path));
    const auto& file = *files.back();
    summary.bytes += file.size();
    for (const auto& entry : file.entries()) {
      if (!starts_with(entry.name, options.prefix) || is_buffer_key(entry.name)) {
        summary.ignored.push_back(entry.name);
        continue;
      }
      const auto key = entry.name.substr(options.prefix.size());
      NS_CHECK_AS(DataError, found.count(key) == 0, "'", path, "': tensor '", entry.name,
                  "' appears twice in '", directory, "'");
      found[key] = {&file, &entry};
    }
  }
  // A tied model has no lm_head of its own; a checkpoint may still store the copy.
  if (model.options().tie_embeddings() && found.count("lm_head.weight") > 0) {
    summary.ignored.push_back(options.prefix + "lm_head.weight");
    found.erase("lm_head.weight");
  }

  // Check everything before setting anything.
  std::map<std::string, at::Tensor> parameters;
  for (const auto& item : model.named_parameters()) {
    if (!model::is_lora_parameter(item.key())) parameters[item.key()] = item.value();
  }
  for (const auto& [name, parameter] : parameters) {
    if (found.count(name) == 0) {
      // A checkpoint that keeps the LLM under a prefix ("language_model."): say which.
      std::string hint;
      for (const auto& file : files) {
        for (const auto& entry : file->entries()) {
          const auto& key = entry.name;
          if (hint.empty() && key.size() > name.size() &&
              key.compare(key.size() - name.size(), name.size(), name) == 0) {
            hint = "; the files have '" + key + "': set the prefix '" +
                   key.substr(0, key.size() - name.size()) + "'";
          }
        }
      }
      NS_THROW(DataError, "'", directory, "' has no tensor '", options.prefix, name,
               "' (the model's ", name, ", shape ", shape_text(parameter.sizes().vec()), ")", hint);
    }
    const auto& [file, entry] = found.at(name);
    NS_CHECK_AS(DataError, entry->shape == parameter.sizes().vec(), "'", file->path(),
                "': tensor '", entry->name, "' has shape ", shape_text(entry->shape),
                ", the model's ", name, " needs ", shape_text(parameter.sizes().vec()),
                " (does config.json match the weights?)");
  }
  for (const auto& [key, where] : found) {
    NS_CHECK_AS(DataError, parameters.count(key) > 0, "'", where.first->path(), "': tensor '",
                where.second->name, "' is not a parameter of the model (", model.options().family(),
                ", ", model.options().layers(), " layers)");
  }

  torch::NoGradGuard no_grad;
  for (auto& [name, parameter] : parameters) {
    const auto& [file, entry] = found.at(name);
    auto values = file->tensor(*entry);
    const auto dtype =
        options.dtype == at::ScalarType::Undefined ? values.scalar_type() : options.dtype;
    const bool mapped = values.scalar_type() == dtype && options.device.is_cpu();
    if (!mapped) values = values.to(options.device, dtype);
    parameter.set_data(values);
    summary.tensors_mapped += mapped ? 1 : 0;
    summary.tensors_loaded += 1;
    summary.values_loaded += values.numel();
  }
  // Adapters stay float32 (LoraLinear casts its input) and follow the base to its device.
  for (auto& item : model.named_parameters()) {
    if (model::is_lora_parameter(item.key()))
      item.value().set_data(item.value().to(options.device, at::kFloat));
  }
  return summary;
}

}  // namespace neuroscale::io
