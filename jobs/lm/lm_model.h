// The model of an `lm train` config, built the same way by training and by `lm export`:
// model.init_from's directory (with LoRA adapters when model.lora.rank is set, the base then
// frozen) or a fresh decoder sized by the config and the tokenizer; and the identity its
// checkpoints record (the model keys, the tokenizer's content, the base weights' content).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/log.h"
#include "io/checkpoint/model_identity.h"
#include "io/llm/hf_model.h"
#include "jobs/lm/lm_text.h"
#include "jobs/schema/lm_schema.h"

namespace neuroscale::jobs {

struct LmModel {
  llm::CausalLm model{nullptr};
  std::string base_weights;  ///< adapter-only training: what the checkpoints refer to ("": full)
  io::ModelIdentity identity;
  bool adapters_only() const { return !base_weights.empty(); }
};

// model.init_from opened (null without one): its tokenizer comes before the model is built.
std::unique_ptr<io::HfCausalLm> open_base(const LmTrainConfig& config);

// The model for `config` on the CPU: `base`'s (consumed), or fresh with the config's seed.
// ConfigError when the base's vocabulary is smaller than its tokenizer's.
LmModel build_lm_model(const LmTrainConfig& config, std::unique_ptr<io::HfCausalLm> base,
                       const LmTokenizer& tokenizer, std::int64_t bos, std::int64_t eos,
                       Logger& log);

}  // namespace neuroscale::jobs
