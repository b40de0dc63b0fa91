// `neuroscale evaluate`: decodes a split of a corpus with a fine-tuned checkpoint and writes
// per-trial predictions, a Brain-to-Text-style submission (id,text) and the error rates.
// Under mpirun/srun the ranks share the trials; rank 0 writes the results.
#include <torch/torch.h>

#include <chrono>

#include "core/check.h"
#include "core/decode/phonemes.h"
#include "core/progress.h"
#include "distributed/corpus_data.h"
#include "io/corpus/corpus_reader.h"
#include "io/run/results.h"
#include "jobs/config_job.h"
#include "jobs/evaluate_decoding.h"
#include "jobs/evaluate_sentences.h"
#include "jobs/evaluation_trials.h"
#include "jobs/schema/evaluate_schema.h"

namespace neuroscale::jobs {
int run_evaluate(Runtime& runtime, const std::vector<std::string>& args) {
  std::string task_name = evaluation_task(args);
  if (task_name == "brain-alignment") return run_brain_alignment(runtime, args);
  NS_CHECK_AS(UsageError, task_name == "phonemes",
              "evaluate --task: expected phonemes or brain-alignment, got '", task_name, "'");
  ConfigJob job(
      runtime, ConfigJob::Kind::kEvaluation, "neuroscale evaluate",
      "Decode a split of a corpus with a fine-tuned checkpoint (the model is rebuilt from\n"
      "the config.yaml of the run that wrote it). Writes to --run-dir:\n"
      "  predictions.tsv   per trial: ids, reference and decoded phonemes and text, edits\n"
      "  submission.csv    id,text (Brain-to-Text style; ids number the trials in corpus order)\n"
      "  evaluation.json   PER and WER (sums of edits / sums of reference tokens), counts,\n"
      "                    and the decoder's settings\n"
      "WER needs decode.method beam (words come from the lexicon); decode.rescore.llm\n"
      "rescores its n-best list with an LLM; 'ensemble' averages more models' phoneme\n"
      "log-probabilities. Ranks share the trials.\n"
      "Brain alignment of speech models: 'neuroscale evaluate --task brain-alignment --help'.",
      "configs/evaluate/*.yaml");
  job.parser().option("--task", &task_name, "NAME",
                      "phonemes (this, the default) or brain-alignment");
  job.parser().epilog(
      "example:\n"
      "  neuroscale evaluate --config configs/evaluate/tiny.yaml --run-dir runs/eval "
      "checkpoint=runs/ft "
      "data.split=test\n");
  EvaluateConfig config;
  if (!job.parse(args, config)) return 0;
  job.open(config.device);
  if (config.method == "llm") return run_sentence_evaluation(job, config);
  Logger& log = job.log();
  const int rank = job.mpi().rank(), ranks = job.mpi().size();

  // ---- the model (or ensemble), rebuilt from its run's config, and the decoder
  io::CorpusReader reader(config.corpus, MPI_COMM_NULL);
  const auto& index = reader.index();
  PhonemeEnsemble models(config, index, job.device(), log);
  const auto& model = models.first();
  log.info("decoding the ", config.split, " split of ", config.corpus, " with ", model.checkpoint,
           " (step ", model.step, ")",
           models.size() > 1 ? " and " + std::to_string(models.size() - 1) + " more models" : "",
           ", ", config.method, " decoding");
  const auto decoding = open_decoding(config, models.checkpoints(), job.device(), log);
  const auto& decoder = decoding->decoder;

  // ---- this rank's share of the trials, decoded
  EvaluationTrials trials(config, reader, model.patch_size, rank, ranks);
  const auto steps = trials.steps();
  std::string mine;  // this rank's predictions, one line each
  SentenceLatencies latencies;
  Progress progress(log, "decoding", steps, "steps", ProgressOptions{stderr_is_terminal(), 30.0});
  at::NoGradGuard no_grad;
  for (std::int64_t step = 0; step < steps; ++step, progress.advance()) {
    auto batch = trials.next();
    if (!batch) continue;
    const auto start = std::chrono::steady_clock::now();
    batch->features = batch->features.to(job.device());
    const auto [log_probs, tokens] = models.log_probs(*batch);
    const auto cpu = log_probs.to(at::kCPU).contiguous();
    for (std::int64_t b = 0; b < batch->size(); ++b) {
      const auto trial = static_cast<std::size_t>(batch->trials[static_cast<std::size_t>(b)]);
      const auto* labels = batch->labels[b].data_ptr<std::int64_t>();
      const std::vector<int> reference(labels,
                                       labels + batch->label_lengths[b].item<std::int64_t>());
      const auto& text = batch->text[static_cast<std::size_t>(b)];
      const auto frames = static_cast<int>(tokens[b].item<std::int64_t>());
      const auto decoded =
          decode::decode_trial(cpu[b].data_ptr<float>(), frames, reference, text, decoder);
      mine += io::prediction_line(
          {static_cast<std::int64_t>(trial),
           index.subjects[static_cast<std::size_t>(index.trial_subject(trial))].name,
           index.sessions[static_cast<std::size_t>(index.trial_session[trial])].date,
           decode::phoneme_string(reference), decode::phoneme_string(decoded.phonemes), text,
           decoded.text, decoded.phoneme_errors.edits, decoded.phoneme_errors.reference,
           decoded.word_errors.edits, decoded.word_errors.reference});
    }
    latencies.add(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                  batch->size());
  }

  // ---- rank 0 writes the results
  auto predictions = gather_predictions(job.comm(), job.device(), mine);
  const auto [mean, p95] = latencies.gather(job.comm(), job.device());
  if (rank != 0) return 0;
  decoding->description["latency_mean_s"] = mean;
  decoding->description["latency_p95_s"] = p95;
  const auto totals =
      io::write_evaluation(job.run_dir(), std::move(predictions), config.split, model.step,
                           decoding->lexicon != nullptr, decoding->description);
  log_evaluation(log, totals, job.run_dir());
  return 0;
}

}  // namespace neuroscale::jobs
