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
#include "io/lm/lexicon_reader.h"
#include "jobs/evaluation_trials.h"
#include "jobs/lm/lm_actions.h"
#include "jobs/sentence_decoding.h"
#include "jobs/sentence_model.h"

namespace neuroscale::jobs {
namespace {

// The reference phonemes of trial `b` of `batch` as the benchmark spells them.
std::string reference_phonemes(const Batch& batch, std::int64_t b) {
  const auto* labels = batch.labels[b].data_ptr<std::int64_t>();
  return decode::phoneme_string(
      std::vector<int>(labels, labels + batch.label_lengths[b].item<std::int64_t>()));
}

}  // namespace

int run_sentence_evaluation(ConfigJob& job, const EvaluateConfig& config) {
  Logger& log = job.log();
  const int rank = job.mpi().rank(), ranks = job.mpi().size();
  io::CorpusReader reader(config.corpus, MPI_COMM_NULL);
  const auto& index = reader.index();
  std::vector<std::unique_ptr<SentenceModel>> models;
  std::vector<std::string> checkpoints = {config.checkpoint};
  checkpoints.insert(checkpoints.end(), config.ensemble.begin(), config.ensemble.end());
  for (const auto& path : checkpoints) {
    models.push_back(load_sentence_model(path, index, config.corpus, log));
    models.back()->task->module().to(job.device());
    models.back()->task->module().eval();
    NS_CHECK_AS(ConfigError,
                models.back()->task->model()->options().encoder().patch_size() ==
                    models.front()->task->model()->options().encoder().patch_size(),
                "ensemble: '", path, "' has another patch size than '", config.checkpoint, "'");
  }
  const auto& model = models.front();
  auto& task = *model->task;
  const auto generation = generation_options(config.llm);
  std::unique_ptr<decode::Lexicon> lexicon;
  AcousticScoring acoustic;
  if (config.llm.acoustic_scale > 0) {
    for (const auto& m : models) {
      NS_CHECK_AS(ConfigError, !m->task->model()->ctc_head.is_empty(),
                  "'decode.llm.acoustic_scale' scores candidates with the model's CTC head; '",
                  m->checkpoint,
                  "' was fine-tuned without one (set sentence.ctc_weight > 0 to train it)");
    }
    lexicon = std::make_unique<decode::Lexicon>(io::read_lexicon(config.lexicon));
    log.info("acoustic scores (scale ", config.llm.acoustic_scale, "): phonemes from ",
             config.lexicon, " (", lexicon->size(), " words) against the CTC head",
             models.size() > 1 ? "s' averaged log-probabilities" : "");
    acoustic = AcousticScoring{lexicon.get(), config.llm.acoustic_scale};
  }
  log.info("decoding the ", config.split, " split of ", config.corpus, " with ", model->checkpoint,
           " (step ", model->step, ")",
           models.size() > 1 ? " and " + std::to_string(models.size() - 1) +
                                   " more models (pooled candidates, mean log-likelihood)"
                             : "",
           ": ", config.llm.beams == 1 ? "greedy" : "beam search",
           config.llm.beams > 1 ? " (" + std::to_string(config.llm.beams) + " beams)" : "",
           ", at most ", config.llm.max_new_tokens, " tokens per sentence");

  EvaluationTrials trials(config, reader, task.model()->options().encoder().patch_size(), rank,
                          ranks);
  std::string mine, nbest;
  std::int64_t out_of_lexicon = 0;  // candidates without an acoustic score
  SentenceLatencies latencies;
  Progress progress(log, "decoding", trials.steps(), "steps",
                    ProgressOptions{stderr_is_terminal(), 30.0});
  torch::NoGradGuard no_grad;
  for (std::int64_t step = 0; step < trials.steps(); ++step, progress.advance()) {
    auto batch = trials.next();
    if (!batch) continue;
    batch->features = batch->features.to(job.device());
    const auto start = std::chrono::steady_clock::now();
    const auto results = decode_batch(models, *batch, generation, acoustic);
    // A sentence's latency is its micro-batch's: the time from features to text.
    latencies.add(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                  batch->size());
    for (std::int64_t b = 0; b < batch->size(); ++b) {
      const auto i = static_cast<std::size_t>(b);
      const auto trial = batch->trials[i];
      const auto& truth = batch->text[i];
      const auto& hypotheses = results[i];
      const auto& text = hypotheses.front().text;
      decode::ErrorCounts words;
      if (!truth.empty()) words.add_words(text, truth);
      const auto t = static_cast<std::size_t>(trial);
      mine += io::prediction_line(
          {trial, index.subjects[static_cast<std::size_t>(index.trial_subject(t))].name,
           index.sessions[static_cast<std::size_t>(index.trial_session[t])].date,
           reference_phonemes(*batch, b), "", truth, text, 0, 0, words.edits, words.reference});
      for (std::size_t k = 0; k < hypotheses.size(); ++k) {
        const auto& h = hypotheses[k];
        const bool scored = acoustic.on() && !h.out_of_lexicon;
        out_of_lexicon += acoustic.on() && h.out_of_lexicon;
        nbest += std::to_string(trial) + "\t" + std::to_string(k + 1) + "\t" +
                 std::to_string(h.score) + "\t" + std::to_string(h.log_probability) + "\t" +
                 (scored ? std::to_string(h.acoustic) : "") + "\t" +
                 (scored || !acoustic.on() ? std::to_string(h.total) : "") + "\t" +
                 tsv_field(h.text) + "\n";
      }
    }
  }

  auto predictions = gather_predictions(job.comm(), job.device(), mine);
  const auto [mean, p95] = latencies.gather(job.comm(), job.device());
  const auto nbest_lines = gather_lines(job.comm(), job.device(), nbest);
  std::int64_t unpronounced = 0;
  for (const auto& line :
       gather_lines(job.comm(), job.device(), std::to_string(out_of_lexicon) + "\n"))
    unpronounced += std::stoll(line);
  if (rank != 0) return 0;
  nlohmann::ordered_json description = {{"method", "llm"},
                                        {"models", checkpoint_paths(models)},
                                        {"beams", config.llm.beams},
                                        {"nbest", config.llm.nbest},
                                        {"max_new_tokens", config.llm.max_new_tokens},
                                        {"length_penalty", config.llm.length_penalty},
                                        {"acoustic_scale", config.llm.acoustic_scale},
                                        {"micro_batch", config.micro_batch},
                                        {"latency_mean_s", mean},
                                        {"latency_p95_s", p95}};
  if (acoustic.on()) {
    description["lexicon"] = config.lexicon;
    description["candidates_out_of_lexicon"] = unpronounced;
  }
  const auto totals = io::write_evaluation(job.run_dir(), std::move(predictions), config.split,
                                           model->step, true, description);
  if (config.llm.nbest > 1 || models.size() > 1) {
    std::string tsv = "trial\trank\tscore\tlog_probability\tacoustic\ttotal\ttext\n";
    for (const auto& line : nbest_lines) tsv += line + "\n";
    io::write_file_atomically(job.run_dir() + "/nbest.tsv", tsv);
  }
  log_evaluation(log, totals, job.run_dir());
  if (acoustic.on() && unpronounced > 0)
    log.warn(unpronounced, " candidates have words ", config.lexicon,
             " lacks: no acoustic score, ranked after the others");
  log.info("latency per sentence: mean ", mean, " s, p95 ", p95, " s (micro-batches of ",
           config.micro_batch, ")");
  return 0;
}

}  // namespace neuroscale::jobs
