// The actions of `neuroscale lm` (dispatched by jobs/lm_command.cpp), and the options they
// share: which Hugging Face model directory, in which dtype, on which device.
#pragma once

#include <string>
#include <vector>

#include "io/llm/hf_model.h"
#include "jobs/cli/arg_parser.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {

int lm_generate(Runtime& runtime, const std::vector<std::string>& args);
int lm_score(Runtime& runtime, const std::vector<std::string>& args);
int lm_train(Runtime& runtime, const std::vector<std::string>& args);
int lm_export(Runtime& runtime, const std::vector<std::string>& args);

struct LmModelOptions {
  std::string model;  ///< --model DIR
  std::string dtype = "float32";
  std::string device = "cpu";
  std::string prefix;           ///< --prefix: the LLM's key prefix inside the weights
  std::string config;           ///< --config: another config.json for the LLM
  std::int64_t batch_size = 8;  ///< sequences per forward pass
  CommonOptions common;
};

// Adds --model, --dtype, --device, --prefix, --config, --batch-size and the common options.
void add_lm_model_options(ArgParser& parser, LmModelOptions& options);

// Validates the options (UsageError naming the flag) and opens the model with its tokenizer,
// logging what was loaded.
io::HfCausalLm open_lm(Runtime& runtime, const LmModelOptions& options);

// `text` on one line of a TSV file: backslash, tab, newline and carriage return escaped.
std::string tsv_field(const std::string& text);

}  // namespace neuroscale::jobs
