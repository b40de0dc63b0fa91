#include "jobs/lm/lm_model.h"

#include <torch/torch.h>

#include <set>

#include "core/check.h"
#include "core/model/lora.h"
#include "core/text.h"
#include "io/config/config_document.h"
#include "io/hash/xxhash64.h"

namespace neuroscale::jobs {

std::unique_ptr<io::HfCausalLm> open_base(const LmTrainConfig& config) {
  if (config.model.init_from.empty()) return nullptr;
  const auto& m = config.model;
  const std::set<std::string> targets(m.lora_targets.begin(), m.lora_targets.end());
  // The adapters are drawn as the model is built: from the run's seed, so that a run is
  // reproducible (and every rank starts from the same adapters).
  torch::manual_seed(static_cast<std::uint64_t>(config.seed));
  return std::make_unique<io::HfCausalLm>(io::load_hf_causal_lm(
      m.init_from, {}, "", m.lora, m.lora.rank() > 0 ? targets : std::set<std::string>{}));
}

LmModel build_lm_model(const LmTrainConfig& config, std::unique_ptr<io::HfCausalLm> base,
                       const LmTokenizer& tokenizer, std::int64_t bos, std::int64_t eos,
                       Logger& log) {
  LmModel built;
  const auto vocab = tokenizer.tokenizer.vocab_size();
  if (base) {
    built.model = base->model;
    NS_CHECK_AS(ConfigError, built.model->options().vocab() >= vocab, "model.init_from '",
                config.model.init_from, "' has vocab_size ", built.model->options().vocab(),
                " but its tokenizer ", vocab);
    if (config.model.lora.rank() > 0) {
      const auto trainable = model::freeze_all_but_lora(*built.model);
      built.base_weights = base_weights_reference(*base);
      log.info("LoRA rank ", config.model.lora.rank(), " on ",
               join(config.model.lora_targets, ", "), ": ", trainable,
               " trainable values; the base (", built.base_weights, ") stays frozen");
    }
  } else {
    torch::manual_seed(static_cast<std::uint64_t>(config.seed));  // the same on every rank
    auto options = config.model.options;
    options.vocab(vocab).bos(bos).eos({eos}).pad(-1);
    options.qkv_bias(options.family() == "qwen2");  // Qwen2 always has q/k/v biases
    built.model = llm::CausalLm(options);
  }
  // The identity names the tokenizer and the base by content; init_from's path stays out.
  io::XxHash64 hash;
  hash.update(tokenizer.json.data(), tokenizer.json.size());
  auto model_keys = config.model;
  model_keys.init_from.clear();
  built.identity =
      io::ModelIdentity("causal_lm",
                        {{"vocab", std::to_string(built.model->options().vocab())},
                         {"tokenizer", "xxh64=" + io::to_hex(hash.digest())},
                         {"base", built.base_weights}},
                        io::to_yaml([&](io::ConfigVisitor& v) { describe(v, model_keys); }));
  return built;
}

}  // namespace neuroscale::jobs
