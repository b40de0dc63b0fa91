// The config of `neuroscale lm train` (configs/lm/*.yaml): a causal LM of the Llama family
// trained from scratch (or continued from a Hugging Face directory) on a text file, one
// sentence per line, on the data-parallel engine; the result is written as a Hugging Face
// directory (docs/language-models.md).
#pragma once

#include <string>
#include <vector>

#include "core/llm/causal_lm_options.h"
#include "core/optim/lr_schedule.h"
#include "core/optim/optimizer.h"
#include "distributed/training_options.h"
#include "io/config/config_visitor.h"

namespace neuroscale::jobs {

struct LmDataConfig {
  std::string text;                ///< training text, one sentence per line (required)
  std::string validation_text;     ///< validation text ("": no validation)
  std::string tokenizer;           ///< a tokenizer.json ("": a byte-level BPE trained on `text`)
  std::int64_t vocab_size = 2048;  ///< the trained tokenizer's vocabulary
  std::int64_t max_length = 128;   ///< tokens per sequence (BOS and EOS included); longer cut
  std::string bos_token;           ///< "": <|begin_of_text|>, else <|endoftext|>, of the tokenizer
  std::string eos_token;           ///< "": <|end_of_text|>, else <|endoftext|>
};

struct LmModelConfig {
  std::string init_from;         ///< a Hugging Face directory to continue ("": from scratch)
  llm::CausalLmOptions options;  ///< the size when training from scratch (vocab: the tokenizer's)
  /// LoRA on init_from's model (rank 0: full training); the base stays frozen
  model::LoraOptions lora;
  std::vector<std::string> lora_targets = {"q_proj",    "k_proj",  "v_proj",   "o_proj",
                                           "gate_proj", "up_proj", "down_proj"};
  LmModelConfig();
};

struct LmTrainConfig {
  LmDataConfig data;
  std::int64_t seed = 0;
  distributed::TrainOptions train;
  distributed::CheckpointPolicy checkpoint;
  LmModelConfig model;
  optim::OptimizerOptions optimizer;
  optim::LrScheduleOptions schedule;
  std::string output;  ///< the Hugging Face directory written at the end ("": RUN_DIR/hf)
  /// frozen float32 weights packed for MKL's GEMM (core/model/packed_gemm.h); key
  /// train.pack_frozen_weights
  bool pack_frozen_weights = false;

  LmTrainConfig();
};

void describe(io::ConfigVisitor& v, LmTrainConfig& o);
// The model keys (what a checkpoint's model identity covers).
void describe(io::ConfigVisitor& v, LmModelConfig& o);
// Cross-field checks; ConfigError naming `source`.
void validate(const LmTrainConfig& o, const std::string& source);

}  // namespace neuroscale::jobs
