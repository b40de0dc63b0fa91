#include "io/llm/hf_model.h"

#include "core/check.h"
#include "io/fs/files.h"
#include "io/llm/hf_config.h"

namespace neuroscale::io {

HfCausalLm load_hf_causal_lm(const std::string& directory, const LlmWeightsOptions& options,
                             const std::string& config, const model::LoraOptions& lora,
                             const std::set<std::string>& lora_targets) {
  NS_CHECK_AS(DataError, is_directory(directory), "'", directory,
              "' is not a directory (a Hugging Face model ",
              "directory: config.json, model.safetensors, tokenizer.json)");
  HfCausalLm lm;
  lm.directory = directory;
  const auto config_path = config.empty() ? directory + "/config.json" : config;
  auto model_options = read_hf_config(config_path);
  model_options.lora(lora).lora_targets(lora_targets);
  model_options.validate();
  lm.model = llm::CausalLm(model_options, false);
  lm.weights = load_llm_weights(directory, *lm.model, options);
  lm.model->eval();
  const auto tokenizer_path = directory + "/tokenizer.json";
  if (is_regular_file(tokenizer_path)) lm.tokenizer = BpeTokenizer::from_file(tokenizer_path);
  return lm;
}

const BpeTokenizer& require_tokenizer(const HfCausalLm& lm) {
  NS_CHECK_AS(DataError, lm.tokenizer.has_value(), "'", lm.directory,
              "' has no tokenizer.json (byte-level BPE: Qwen2, Llama 3, GPT-2 style)");
  NS_CHECK_AS(DataError, lm.tokenizer->vocab_size() <= lm.model->options().vocab(), "'",
              lm.directory, "/tokenizer.json' has ", lm.tokenizer->vocab_size(),
              " tokens but config.json's vocab_size is ", lm.model->options().vocab(),
              " (the tokenizer belongs to another model)");
  return *lm.tokenizer;
}

}  // namespace neuroscale::io
