#include "io/llm/hf_config.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>

#include "core/check.h"
#include "core/json.h"
#include "io/fs/files.h"

namespace neuroscale::io {
namespace {

class ConfigFields {
 public:
  ConfigFields(const nlohmann::json& root, std::string path)
      : root_(root), path_(std::move(path)) {}

  std::int64_t integer(const char* field) const {
    NS_CHECK_AS(DataError, root_.contains(field), "'", path_, "': ", field, " is missing");
    return integer_or(field, 0);
  }
  std::int64_t integer_or(const char* field, std::int64_t fallback) const {
    if (!root_.contains(field) || root_[field].is_null()) return fallback;
    NS_CHECK_AS(DataError, root_[field].is_number_integer(), "'", path_, "': ", field,
                " must be an integer, is ", root_[field].dump());
    return root_[field].get<std::int64_t>();
  }
  double number_or(const char* field, double fallback) const {
    if (!root_.contains(field) || root_[field].is_null()) return fallback;
    NS_CHECK_AS(DataError, root_[field].is_number(), "'", path_, "': ", field,
                " must be a number, is ", root_[field].dump());
    return root_[field].get<double>();
  }
  bool flag_or(const char* field, bool fallback) const {
    if (!root_.contains(field) || root_[field].is_null()) return fallback;
    NS_CHECK_AS(DataError, root_[field].is_boolean(), "'", path_, "': ", field,
                " must be true or false, is ", root_[field].dump());
    return root_[field].get<bool>();
  }
  std::string text_or(const char* field, const std::string& fallback) const {
    if (!root_.contains(field) || root_[field].is_null()) return fallback;
    NS_CHECK_AS(DataError, root_[field].is_string(), "'", path_, "': ", field,
                " must be a string, is ", root_[field].dump());
    return root_[field].get<std::string>();
  }
  // One id or a list of ids.
  std::vector<std::int64_t> ids(const char* field) const {
    if (!root_.contains(field) || root_[field].is_null()) return {};
    const auto& node = root_[field];
    if (node.is_number_integer()) return {node.get<std::int64_t>()};
    NS_CHECK_AS(DataError, node.is_array(), "'", path_, "': ", field,
                " must be an id or a list of ids, is ", node.dump());
    std::vector<std::int64_t> result;
    for (const auto& id : node) {
      NS_CHECK_AS(DataError, id.is_number_integer(), "'", path_, "': ", field,
                  " must hold integer ids, is ", node.dump());
      result.push_back(id.get<std::int64_t>());
    }
    return result;
  }
  void refuse_unless(bool supported, const char* field, const std::string& why) const {
    NS_CHECK_AS(DataError, supported, "'", path_, "': ", field, " ",
                root_.contains(field) ? root_[field].dump() : std::string("(missing)"),
                " is not supported: ", why);
  }
  const nlohmann::json& root() const { return root_; }

 private:
  const nlohmann::json& root_;
  std::string path_;
};

}  // namespace

llm::CausalLmOptions read_hf_config(const std::string& path) {
  const auto text = read_file(path);
  NS_CHECK_AS(DataError, text.has_value(), "cannot read '", path, "': ", std::strerror(errno));
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& error) {
    NS_THROW(DataError, "'", path, "' is not valid JSON: ", error.what());
  }
  NS_CHECK_AS(DataError, root.is_object(), "'", path,
              "' is not a JSON object (a Hugging Face config.json)");
  llm::CausalLmOptions options;
  try {
    const ConfigFields f(root, path);
    const auto family = f.text_or("model_type", "");
    f.refuse_unless(family == "llama" || family == "qwen2", "model_type",
                    "the decoder implements the Llama family (model_type llama or qwen2)");
    f.refuse_unless(f.text_or("hidden_act", "silu") == "silu", "hidden_act",
                    "the MLP is SiLU-gated");
    // Rotary settings: rope_theta (and rope_scaling) at the top level, or (transformers 5)
    // rope_parameters {rope_type, rope_theta}; only the unscaled "default" type is implemented.
    double rope_theta = f.number_or("rope_theta", 10000.0);
    for (const char* field : {"rope_scaling", "rope_parameters"}) {
      if (!root.contains(field) || root[field].is_null()) continue;
      const auto& rope = root[field];
      f.refuse_unless(
          rope.is_object() &&
              rope.value("rope_type", rope.value("type", std::string("default"))) == "default",
          field, "rotary embeddings are unscaled (rope_type default)");
      if (rope.contains("rope_theta"))
        rope_theta = ConfigFields(rope, path + " " + field).number_or("rope_theta", 0.0);
    }
    if (root.contains("layer_types") && root["layer_types"].is_array()) {
      for (const auto& type : root["layer_types"]) {
        f.refuse_unless(type == "full_attention", "layer_types",
                        "every layer attends over the full context");
      }
    }
    f.refuse_unless(!f.flag_or("use_sliding_window", false), "use_sliding_window",
                    "attention is over the full context");
    f.refuse_unless(!f.flag_or("mlp_bias", false), "mlp_bias", "MLP projections have no bias");
    options.family(family)
        .vocab(f.integer("vocab_size"))
        .hidden(f.integer("hidden_size"))
        .intermediate(f.integer("intermediate_size"))
        .layers(f.integer("num_hidden_layers"))
        .heads(f.integer("num_attention_heads"));
    options.kv_heads(f.integer_or("num_key_value_heads", options.heads()))
        .head_dim(f.integer_or("head_dim", 0))
        .rms_eps(f.number_or("rms_norm_eps", 1e-6))
        .rope_theta(rope_theta)
        .max_positions(f.integer_or("max_position_embeddings", 2048))
        .tie_embeddings(f.flag_or("tie_word_embeddings", false))
        .qkv_bias(family == "qwen2" ? true : f.flag_or("attention_bias", false))
        .bos(f.integer_or("bos_token_id", -1))
        .eos(f.ids("eos_token_id"))
        .pad(f.integer_or("pad_token_id", -1));
  } catch (const nlohmann::json::exception& error) {
    NS_THROW(DataError, "'", path, "': malformed field: ", error.what());
  }
  try {
    options.validate();
  } catch (const ConfigError& error) {
    NS_THROW(DataError, "'", path, "': ", error.what());
  }
  return options;
}

std::string hf_config_json(const llm::CausalLmOptions& options) {
  const bool qwen2 = options.family() == "qwen2";
  nlohmann::ordered_json config;
  config["architectures"] = {qwen2 ? "Qwen2ForCausalLM" : "LlamaForCausalLM"};
  config["model_type"] = qwen2 ? "qwen2" : "llama";
  config["vocab_size"] = options.vocab();
  config["hidden_size"] = options.hidden();
  config["intermediate_size"] = options.intermediate();
  config["num_hidden_layers"] = options.layers();
  config["num_attention_heads"] = options.heads();
  config["num_key_value_heads"] = options.kv_heads();
  config["head_dim"] = options.head_dim_or_default();
  config["hidden_act"] = "silu";
  config["rms_norm_eps"] = options.rms_eps();
  // Both spellings: transformers 4 reads rope_theta, transformers 5 rope_parameters.
  config["rope_theta"] = options.rope_theta();
  config["rope_parameters"] = {{"rope_type", "default"}, {"rope_theta", options.rope_theta()}};
  config["max_position_embeddings"] = options.max_positions();
  config["tie_word_embeddings"] = options.tie_embeddings();
  if (!qwen2) config["attention_bias"] = options.qkv_bias();
  config["bos_token_id"] =
      options.bos() >= 0 ? nlohmann::ordered_json(options.bos()) : nlohmann::ordered_json();
  if (options.eos().size() == 1) {
    config["eos_token_id"] = options.eos().front();
  } else {
    config["eos_token_id"] = options.eos();
  }
  config["pad_token_id"] =
      options.pad() >= 0 ? nlohmann::ordered_json(options.pad()) : nlohmann::ordered_json();
  config["torch_dtype"] = "float32";
  return json_document(config);
}

}  // namespace neuroscale::io
