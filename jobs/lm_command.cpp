// `neuroscale lm generate|score|train|export`: causal language models of the Llama family from
// Hugging Face directories (docs/language-models.md); jobs/lm/ holds the actions.
#include "jobs/cli/actions.h"
#include "jobs/lm/lm_actions.h"

namespace neuroscale::jobs {

int run_lm(Runtime& runtime, const std::vector<std::string>& args) {
  ActionCommand command;
  command.program = "neuroscale lm";
  command.summary =
      "Causal language models of the Llama family (Qwen2/2.5, Llama 2/3, SmolLM, TinyLlama) from\n"
      "Hugging Face directories (docs/language-models.md).";
  command.notes = "'neuroscale lm ACTION --help' gives an action's options.";
  command.examples =
      "examples:\n"
      "  neuroscale lm generate --model models/qwen2.5-0.5b --prompt \"The brain\" --beams 4 "
      "--nbest 4\n"
      "  neuroscale lm score sentences.txt --model models/qwen2.5-0.5b\n"
      "  neuroscale lm train --config configs/lm/tiny.yaml --run-dir runs/lm data.text=train.txt\n";
  command.actions = {
      {"generate", "continue prompts: greedy or beam search with n-best output", lm_generate},
      {"score", "log-probability and perplexity of each line of a text file", lm_score},
      {"train", "train a causal LM on a text file (written as a Hugging Face directory)", lm_train},
      {"export", "a checkpoint of an lm train run as a Hugging Face directory (adapters merged)",
       lm_export},
  };
  return run_action(runtime, command, args);
}

}  // namespace neuroscale::jobs
