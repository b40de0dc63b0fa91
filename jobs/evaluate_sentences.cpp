#include "jobs/evaluate_sentences.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/check.h"
#include "core/decode/error_rates.h"
#include "core/decode/phonemes.h"
#include "core/llm/generation.h"
#include "core/progress.h"
#include "io/fs/files.h"
#include "jobs/evaluation_trials.h"
#include "jobs/lm/lm_actions.h"
#include "jobs/sentence_model.h"

namespace neuroscale::jobs {
namespace {

llm::GenerationOptions generation_options(const LlmDecodingConfig& c) {
  auto options = llm::GenerationOptions()
                     .beams(c.beams)
                     .nbest(c.nbest)
                     .max_new_tokens(c.max_new_tokens)
                     .length_penalty(c.length_penalty);
  options.validate();
  return options;
}

// The reference phonemes of trial `b` of `batch` as the benchmark spells them.
std::string reference_phonemes(const Batch& batch, std::int64_t b) {
  const auto* labels = batch.labels[b].data_ptr<std::int64_t>();
  return decode::phoneme_string(
      std::vector<int>(labels, labels + batch.label_lengths[b].item<std::int64_t>()));
}

// Mean and 95th percentile (nearest rank) of `seconds`.
std::pair<double, double> mean_and_p95(std::vector<double> seconds) {
  if (seconds.empty()) return {NAN, NAN};
  std::sort(seconds.begin(), seconds.end());
  double sum = 0.0;
  for (const double s : seconds) sum += s;
  const auto rank = static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(seconds.size())));
  return {sum / static_cast<double>(seconds.size()), seconds[std::max<std::size_t>(rank, 1) - 1]};
}

}  // namespace

int run_sentence_evaluation(ConfigJob& job, const EvaluateConfig& config) {
  Logger& log = job.log();
  const int rank = job.mpi().rank(), ranks = job.mpi().size();
  io::CorpusReader reader(config.corpus, MPI_COMM_NULL);
  const auto& index = reader.index();
  const auto model = load_sentence_model(config.checkpoint, index, config.corpus, log);
  auto& task = *model->task;
  task.module().to(job.device());
  task.module().eval();
  const auto& tokenizer = io::require_tokenizer(model->lm);
  const auto generation = generation_options(config.llm);
  log.info("decoding the ", config.split, " split of ", config.corpus, " with ", model->checkpoint,
           " (step ", model->step, "): ", config.llm.beams == 1 ? "greedy" : "beam search",
           config.llm.beams > 1 ? " (" + std::to_string(config.llm.beams) + " beams)" : "",
           ", at most ", config.llm.max_new_tokens, " tokens per sentence");

  EvaluationTrials trials(config, reader, task.model()->options().encoder().patch_size(), rank,
                          ranks);
  std::string mine, latencies, nbest;
  Progress progress(log, "decoding", trials.steps(), "steps",
                    ProgressOptions{stderr_is_terminal(), 30.0});
  torch::NoGradGuard no_grad;
  for (std::int64_t step = 0; step < trials.steps(); ++step, progress.advance()) {
    auto batch = trials.next();
    if (!batch) continue;
    batch->features = batch->features.to(job.device());
    const auto start = std::chrono::steady_clock::now();
    const auto [projected, valid] = task.neural_tokens(*batch);
    const auto [embeddings, mask] = task.model()->generation_inputs(
        projected, valid, task.options().prompt_a(), task.options().prompt_b());
    const auto results = llm::generate(*task.model()->llm, embeddings, mask, generation);
    // A sentence's latency is its micro-batch's: the time from features to text.
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    for (std::int64_t b = 0; b < batch->size(); ++b) {
      const auto i = static_cast<std::size_t>(b);
      const auto trial = batch->trials[i];
      const auto& truth = batch->text[i];
      const auto& hypotheses = results[i];
      const auto text = tokenizer.decode(hypotheses.front().tokens, true);
      decode::ErrorCounts words;
      if (!truth.empty()) words.add_words(text, truth);
      const auto t = static_cast<std::size_t>(trial);
      mine += io::prediction_line(
          {trial, index.subjects[static_cast<std::size_t>(index.trial_subject(t))].name,
           index.sessions[static_cast<std::size_t>(index.trial_session[t])].date,
           reference_phonemes(*batch, b), "", truth, text, 0, 0, words.edits, words.reference});
      latencies += std::to_string(seconds) + "\n";
      for (std::size_t k = 0; k < hypotheses.size(); ++k) {
        nbest += std::to_string(trial) + "\t" + std::to_string(k + 1) + "\t" +
                 std::to_string(hypotheses[k].score) + "\t" +
                 std::to_string(hypotheses[k].log_probability) + "\t" +
                 tsv_field(tokenizer.decode(hypotheses[k].tokens, true)) + "\n";
      }
    }
  }

  auto predictions = gather_predictions(job.comm(), job.device(), mine);
  std::vector<double> seconds;
  for (const auto& line : gather_lines(job.comm(), job.device(), latencies))
    seconds.push_back(std::stod(line));
  const auto nbest_lines = gather_lines(job.comm(), job.device(), nbest);
  if (rank != 0) return 0;
  const auto [mean, p95] = mean_and_p95(seconds);
  nlohmann::ordered_json description = {{"method", "llm"},
                                        {"models", {model->checkpoint}},
                                        {"beams", config.llm.beams},
                                        {"nbest", config.llm.nbest},
                                        {"max_new_tokens", config.llm.max_new_tokens},
                                        {"length_penalty", config.llm.length_penalty},
                                        {"micro_batch", config.micro_batch},
                                        {"latency_mean_s", mean},
                                        {"latency_p95_s", p95}};
  const auto totals = io::write_evaluation(job.run_dir(), std::move(predictions), config.split,
                                           model->step, true, description);
  if (config.llm.nbest > 1) {
    std::string tsv = "trial\trank\tscore\tlog_probability\ttext\n";
    for (const auto& line : nbest_lines) tsv += line + "\n";
    io::write_file_atomically(job.run_dir() + "/nbest.tsv", tsv);
  }
  log_evaluation(log, totals, job.run_dir());
  log.info("latency per sentence: mean ", mean, " s, p95 ", p95, " s (micro-batches of ",
           config.micro_batch, ")");
  return 0;
}

}  // namespace neuroscale::jobs
