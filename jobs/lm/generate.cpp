// `neuroscale lm generate`: continue prompts with a Hugging Face causal LM (greedy or beam
// search with n-best output). One TSV line per hypothesis on stdout or --output.
#include <fstream>
#include <iostream>

#include "core/check.h"
#include "core/llm/generation.h"
#include "core/progress.h"
#include "jobs/command_options.h"
#include "jobs/lm/lm_actions.h"
#include "jobs/lm/lm_text.h"

namespace neuroscale::jobs {

int lm_generate(Runtime& runtime, const std::vector<std::string>& args) {
  LmModelOptions model_options;
  std::vector<std::string> prompts;
  std::string prompts_file, output;
  std::int64_t max_new_tokens = 20, beams = 1, nbest = 1;
  double length_penalty = 1.0;
  ArgParser parser(
      "neuroscale lm generate",
      "Continue prompts with a causal LM of the Llama family (Qwen2/2.5, Llama 2/3,\n"
      "SmolLM, TinyLlama) from a Hugging Face directory: greedy decoding, or beam search\n"
      "returning the n best hypotheses, as transformers' generate() does (same tokens).\n"
      "Writes TSV: prompt (its index), rank, score (greedy: summed log-probability;\n"
      "beam: log-probability / generated length ^ length penalty), log_probability,\n"
      "tokens and the continuation (tabs and line breaks escaped as \\t, \\n).");
  add_lm_model_options(parser, model_options);
  parser.option_list("--prompt", &prompts, "TEXT", "a prompt (repeatable)");
  parser.option("--prompts", &prompts_file, "FILE", "prompts, one per line");
  parser.option("--max-new-tokens", &max_new_tokens, "N",
                "tokens generated at most per prompt (default 20)");
  parser.option("--beams", &beams, "N", "beam width; 1 (default) = greedy");
  parser.option("--nbest", &nbest, "N",
                "hypotheses written per prompt, at most --beams (default 1)");
  parser.option("--length-penalty", &length_penalty, "X",
                "exponent of the length dividing a finished beam's log-probability (default 1)");
  parser.option("--output", &output, "FILE",
                "write the TSV to FILE (atomically) instead of stdout");
  parser.epilog(
      "examples:\n"
      "  neuroscale lm generate --model models/qwen2.5-0.5b --prompt \"The brain\" "
      "--max-new-tokens 30\n"
      "  neuroscale lm generate --model runs/lm/hf --prompts prompts.txt --beams 4 --nbest 4\n");
  if (!parser.parse(args, std::cout)) return 0;
  if (!output.empty()) check_output_path(output, "--output");
  runtime.configure(model_options.common);
  Logger& log = runtime.logger();

  if (!prompts_file.empty()) {
    for (auto& line : read_text_lines(prompts_file, "--prompts"))
      prompts.push_back(std::move(line));
  }
  NS_CHECK_AS(UsageError, !prompts.empty(), "no prompt: give --prompt TEXT or --prompts FILE");
  llm::GenerationOptions generation;
  generation.max_new_tokens(max_new_tokens)
      .beams(beams)
      .nbest(nbest)
      .length_penalty(length_penalty);
  try {
    generation.validate();
  } catch (const ConfigError& error) {
    NS_THROW(UsageError, error.what());
  }

  auto lm = open_lm(runtime, model_options);
  const auto& tokenizer = io::require_tokenizer(lm);
  std::string tsv = "prompt\trank\tscore\tlog_probability\ttokens\ttext\n";
  Progress progress(log, "generate", static_cast<std::int64_t>(prompts.size()), "prompts",
                    ProgressOptions{stderr_is_terminal(), 10.0});
  const auto batch = static_cast<std::size_t>(model_options.batch_size);
  for (std::size_t begin = 0; begin < prompts.size(); begin += batch) {
    std::vector<std::vector<std::int64_t>> ids;
    for (auto i = begin; i < std::min(prompts.size(), begin + batch); ++i) {
      ids.push_back(tokenizer.encode(prompts[i]));
      NS_CHECK_AS(UsageError, !ids.back().empty(), "prompt ", i, " '", prompts[i],
                  "' has no tokens");
      NS_CHECK_AS(UsageError,
                  static_cast<std::int64_t>(ids.back().size()) + max_new_tokens <=
                      lm.model->options().max_positions(),
                  "prompt ", i, " has ", ids.back().size(), " tokens; with --max-new-tokens ",
                  max_new_tokens, " it exceeds the model's context (",
                  lm.model->options().max_positions(), ")");
    }
    const auto results = llm::generate(*lm.model, ids, generation);
    for (std::size_t j = 0; j < results.size(); ++j) {
      for (std::size_t k = 0; k < results[j].size(); ++k) {
        const auto& h = results[j][k];
        tsv += std::to_string(begin + j) + "\t" + std::to_string(k + 1) + "\t" +
               std::to_string(h.score) + "\t" + std::to_string(h.log_probability) + "\t" +
               std::to_string(h.tokens.size()) + "\t" +
               tsv_field(tokenizer.decode(h.tokens, true)) + "\n";
      }
      progress.advance();
    }
  }
  if (output.empty()) {
    std::cout << tsv << std::flush;
  } else {
    write_output_file(output, tsv, "--output");
    log.info("continuations of ", prompts.size(), " prompt(s) written to ", output);
  }
  return 0;
}

}  // namespace neuroscale::jobs
