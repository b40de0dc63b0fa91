// `neuroscale lm score FILE`: per-line log-probability and perplexity of a text file under a
// Hugging Face causal LM, and the file's perplexity over all its tokens.
#include <cmath>
#include <iostream>

#include "core/check.h"
#include "core/progress.h"
#include "jobs/command_options.h"
#include "jobs/lm/lm_actions.h"
#include "jobs/lm/lm_text.h"
#include "jobs/lm/text_scoring.h"

namespace neuroscale::jobs {

int lm_score(Runtime& runtime, const std::vector<std::string>& args) {
  LmModelOptions model_options;
  std::string file, output;
  ArgParser parser(
      "neuroscale lm score",
      "Score each line of a text file with a causal LM: the natural-log probability of\n"
      "its tokens and its perplexity, exp(-log_probability / tokens). With a BOS token\n"
      "(config.json's bos_token_id) every token is scored after it; without one the\n"
      "first token is the context and the rest are scored. Empty lines are skipped.\n"
      "Writes TSV (line, tokens, log_probability, perplexity) and logs the file's\n"
      "perplexity over all scored tokens.");
  parser.positional("FILE", &file, "text, one sentence per line (UTF-8)");
  add_lm_model_options(parser, model_options);
  parser.option("--output", &output, "FILE",
                "write the TSV to FILE (atomically) instead of stdout");
  parser.epilog(
      "examples:\n"
      "  neuroscale lm score sentences.txt --model runs/lm/hf\n"
      "  neuroscale lm score test.txt --model models/smollm-135m --dtype bfloat16 --output "
      "scores.tsv\n");
  if (!parser.parse(args, std::cout)) return 0;
  if (!output.empty()) check_output_path(output, "--output");
  runtime.configure(model_options.common);
  Logger& log = runtime.logger();

  const auto lines = read_numbered_lines(file, "lm score");

  auto lm = open_lm(runtime, model_options);
  const auto& tokenizer = io::require_tokenizer(lm);
  std::vector<std::string> texts;
  for (const auto& [line_number, line] : lines) {
    NS_CHECK_AS(DataError, lm.model->options().bos() >= 0 || !tokenizer.encode(line).empty(), "'",
                file, "' line ", line_number, " has no tokens");
    texts.push_back(line);
  }
  Progress progress(log, "score", static_cast<std::int64_t>(lines.size()), "lines",
                    ProgressOptions{stderr_is_terminal(), 10.0});
  std::size_t reported = 0;
  const auto scores =
      score_texts(*lm.model, tokenizer, texts, model_options.batch_size, [&](std::size_t done) {
        for (; reported < done; ++reported) progress.advance();
      });
  std::string tsv = "line\ttokens\tlog_probability\tperplexity\n";
  double total = 0.0;
  std::int64_t tokens = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& s = scores[i];
    total += s.log_probability;
    tokens += s.tokens;
    const double perplexity =
        s.tokens > 0 ? std::exp(-s.log_probability / static_cast<double>(s.tokens)) : NAN;
    tsv += std::to_string(lines[i].number) + "\t" + std::to_string(s.tokens) + "\t" +
           std::to_string(s.log_probability) + "\t" +
           (s.tokens > 0 ? std::to_string(perplexity) : std::string("nan")) + "\n";
  }
  if (output.empty()) {
    std::cout << tsv << std::flush;
  } else {
    write_output_file(output, tsv, "--output");
  }
  log.info("'", file, "': ", lines.size(), " line(s), ", tokens,
           " token(s) scored, log-probability ", total, ", perplexity ",
           tokens > 0 ? std::exp(-total / static_cast<double>(tokens)) : NAN);
  return 0;
}

}  // namespace neuroscale::jobs
