#include "io/llm/hf_config.h"

#include <nlohmann/json.hpp>

#include "core/check.h"
#include "core/json.h"
#include "io/config/json_fields.h"

namespace neuroscale::io {

llm::CausalLmOptions read_hf_config(const std::string& path) {
  const nlohmann::json root = read_json_object(path, "a Hugging Face config.json");
  llm::CausalLmOptions options;
  try {
    const JsonFields f(root, path);
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
        rope_theta = JsonFields(rope, path + " " + field).number_or("rope_theta", 0.0);
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
        .eos(f.integers("eos_token_id"))
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
