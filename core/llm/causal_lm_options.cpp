#include "core/llm/causal_lm_options.h"

#include <algorithm>

#include "core/check.h"
#include "core/text.h"

namespace neuroscale::llm {

CausalLmOptions CausalLmOptions::tiny() {
  CausalLmOptions options;
  options.vocab(512).hidden(64).intermediate(128).layers(2).heads(4).kv_heads(2).max_positions(256);
  options.rope_theta(10000.0).rms_eps(1e-6).eos({0}).bos(1);
  return options;
}

void CausalLmOptions::validate() const {
  auto positive = [](std::int64_t value, const char* field) {
    NS_CHECK_AS(ConfigError, value > 0, field, " must be > 0, got ", value);
  };
  positive(vocab(), "vocab_size");
  positive(hidden(), "hidden_size");
  positive(intermediate(), "intermediate_size");
  positive(layers(), "num_hidden_layers");
  positive(heads(), "num_attention_heads");
  positive(kv_heads(), "num_key_value_heads");
  positive(max_positions(), "max_position_embeddings");
  NS_CHECK_AS(ConfigError, heads() % kv_heads() == 0, "num_attention_heads (", heads(),
              ") must be a multiple of num_key_value_heads (", kv_heads(), ")");
  NS_CHECK_AS(ConfigError, head_dim() > 0 || hidden() % heads() == 0, "hidden_size (", hidden(),
              ") must be divisible by num_attention_heads (", heads(),
              ") when head_dim is not given");
  NS_CHECK_AS(ConfigError, head_dim() >= 0, "head_dim must be >= 0, got ", head_dim());
  NS_CHECK_AS(ConfigError, head_dim_or_default() % 2 == 0,
              "rotary embeddings need an even head_dim, got ", head_dim_or_default());
  NS_CHECK_AS(ConfigError, rms_eps() > 0.0, "rms_norm_eps must be > 0, got ", rms_eps());
  NS_CHECK_AS(ConfigError, rope_theta() > 0.0, "rope_theta must be > 0, got ", rope_theta());
  auto token = [&](std::int64_t id, const char* field) {
    NS_CHECK_AS(ConfigError, id >= -1 && id < vocab(), field, " ", id,
                " is outside the vocabulary (vocab_size ", vocab(), ")");
  };
  token(bos(), "bos_token_id");
  token(pad(), "pad_token_id");
  for (const auto id : eos()) token(id, "eos_token_id");
  lora().validate();
  for (const auto& name : lora_targets()) {
    const auto& names = lora_target_names();
    NS_CHECK_AS(ConfigError, std::find(names.begin(), names.end(), name) != names.end(),
                "lora.targets: '", name, "' is not a projection of the model (", join(names, ", "),
                ")", did_you_mean(name, names));
  }
}

std::int64_t CausalLmOptions::parameter_count() const {
  const auto d = head_dim_or_default();
  const auto attention = hidden() * heads() * d * 2 + hidden() * kv_heads() * d * 2 +
                         (qkv_bias() ? heads() * d + 2 * kv_heads() * d : 0);
  const auto mlp = 3 * hidden() * intermediate();
  const auto layer = attention + mlp + 2 * hidden();
  return vocab() * hidden() * (tie_embeddings() ? 1 : 2) + layers() * layer + hidden();
}

}  // namespace neuroscale::llm
