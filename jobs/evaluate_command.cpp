// `neuroscale evaluate`: decodes a split of a corpus with a fine-tuned checkpoint and writes
// per-trial predictions, a Brain-to-Text-style submission (id,text) and the error rates.
// Under mpirun/srun the ranks share the trials; rank 0 writes the results.
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "core/check.h"
#include "core/decode/ctc_decode.h"
#include "core/decode/error_rates.h"
#include "core/decode/phonemes.h"
#include "core/json.h"
#include "core/progress.h"
#include "core/task/ctc_phoneme.h"
#include "core/text.h"
#include "distributed/accelerator.h"
#include "distributed/gather.h"
#include "io/checkpoint/checkpoint_reader.h"
#include "io/checkpoint/module_loader.h"
#include "io/config/config_document.h"
#include "io/corpus/corpus_reader.h"
#include "io/data/loader.h"
#include "io/lm/arpa_reader.h"
#include "io/lm/lexicon_reader.h"
#include "io/run/run_directory.h"
#include "io/schema/evaluate_schema.h"
#include "io/schema/finetune_schema.h"
#include "jobs/runtime.h"
#include "jobs/training_run.h"

namespace neuroscale::jobs {
namespace {

// One decoded trial, as a tab-separated line between ranks and in predictions.tsv.
struct Prediction {
  std::int64_t trial = 0;
  std::string subject, session, truth_phonemes, phonemes, truth_text, text;
  std::int64_t phoneme_edits = 0, truth_phoneme_count = 0, word_edits = 0, truth_word_count = 0;

  static std::string clean(std::string s) {
    std::replace(s.begin(), s.end(), '\t', ' ');
    std::replace(s.begin(), s.end(), '\n', ' ');
    return s;
  }
  std::string line() const {
    std::ostringstream out;
    out << trial << '\t' << subject << '\t' << session << '\t' << truth_phonemes << '\t' << phonemes << '\t'
        << clean(truth_text) << '\t' << clean(text) << '\t' << phoneme_edits << '\t' << truth_phoneme_count << '\t'
        << word_edits << '\t' << truth_word_count << '\n';
    return out.str();
  }
  static Prediction parse(const std::string& line) {
    std::vector<std::string> f;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, '\t')) f.push_back(field);
    f.resize(11);
    return {std::stoll(f[0]), f[1], f[2], f[3], f[4], f[5], f[6], std::stoll(f[7]), std::stoll(f[8]),
            std::stoll(f[9]), std::stoll(f[10])};
  }
};

io::Split parse_split(const std::string& name) {
  if (name == "train") return io::Split::kTrain;
  if (name == "test") return io::Split::kTest;
  return io::Split::kVal;
}

// The fine-tuning run's config (RUN/config.yaml beside RUN/checkpoints).
io::FinetuneConfig run_config(const io::CheckpointLocation& location) {
  const auto slash = location.directory.find_last_of('/');
  const std::string run_dir = slash == std::string::npos ? "." : location.directory.substr(0, slash);
  io::FinetuneConfig config;
  auto document = io::ConfigDocument::from_file(run_dir + "/config.yaml");
  io::Describer describe = [&](io::ConfigVisitor& v) { io::describe(v, config); };
  document.read_into(describe);
  return config;
}

}  // namespace

int run_evaluate(Runtime& runtime, const std::vector<std::string>& args) {
  // The evaluation (and with it the config schema): --task, else a `task=` override, else
  // the config file's top-level `task:` key, else phonemes.
  std::string task_name = "phonemes", config_path;
  bool flag = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) config_path = args[i + 1];
    if (args[i] == "--task" && i + 1 < args.size()) task_name = args[i + 1], flag = true;
    if (args[i].rfind("--task=", 0) == 0) task_name = args[i].substr(7), flag = true;
  }
  if (!flag) {
    std::ifstream config(config_path);
    static const std::regex kTaskKey(R"(^task:\s*["']?([A-Za-z_-]+)["']?\s*(#.*)?$)");
    std::smatch match;
    for (std::string text; config && std::getline(config, text);) {
      if (std::regex_match(text, match, kTaskKey)) task_name = match[1];
    }
    for (const auto& arg : args) {
      if (arg.rfind("task=", 0) == 0) task_name = arg.substr(5);
    }
  }
  if (task_name == "brain-alignment") return run_brain_alignment(runtime, args);
  NS_CHECK_AS(UsageError, task_name == "phonemes", "evaluate --task: expected phonemes or brain-alignment, got '",
              task_name, "'");
  ConfigCommandLine line;
  CommonOptions common;
  ArgParser parser("neuroscale evaluate",
                   "Decode a split of a corpus with a fine-tuned checkpoint (the model is rebuilt from\n"
                   "the config.yaml of the run that wrote it). Writes to --run-dir:\n"
                   "  predictions.tsv   per trial: ids, reference and decoded phonemes and text, edits\n"
                   "  submission.csv    id,text (Brain-to-Text style; ids number the trials in corpus order)\n"
                   "  evaluation.json   PER and WER (sums of edits / sums of reference tokens), counts\n"
                   "WER needs decode.method beam (words come from the lexicon). Ranks share the trials.\n"
                   "Brain alignment of speech models: 'neuroscale evaluate --task brain-alignment --help'.");
  parser.option("--task", &task_name, "NAME", "phonemes (this, the default) or brain-alignment");
  add_config_options(parser, line, "configs/evaluate/*.yaml", true, false);
  add_common_options(parser, common);
  parser.epilog(
      "example:\n"
      "  neuroscale evaluate --config configs/evaluate/tiny.yaml --run-dir runs/eval checkpoint=runs/ft "
      "data.split=test\n");
  if (!parser.parse(args, std::cout)) return 0;
  runtime.configure(common);
  io::EvaluateConfig config;
  io::Describer describe = [&](io::ConfigVisitor& v) { io::describe(v, config); };
  if (!read_config(line, describe, [&](const std::string& source) { io::validate(config, source); })) return 0;

  auto& mpi = runtime.mpi();
  runtime.open_run_directory(line.run_dir, io::to_yaml(describe));
  Logger& log = runtime.logger();
  const at::Device device = distributed::job_device(config.device, mpi.local_rank());
  auto comm = distributed::make_communicator(mpi, device, {});

  // ---- the model, rebuilt from its run's config and checked against the checkpoint
  const auto location = io::locate_checkpoints(config.checkpoint);
  const auto [checkpoint, manifest] = io::newest_verified_checkpoint(
      location, [&](const std::string& skipped, const std::string& reason) { log.warn("skipping ", skipped, ": ", reason); });
  auto trained = run_config(location);
  io::CorpusReader reader(config.corpus, MPI_COMM_NULL);
  const auto& index = reader.index();
  const auto subjects = subject_specs(index);
  trained.task.model().encoder().subjects(subjects);
  const auto identity = model_identity("ctc_phoneme", subjects,
                                       io::to_yaml([&](io::ConfigVisitor& v) { io::describe(v, trained.task); }));
  NS_CHECK_AS(ConfigError, identity.matches(manifest.config_hash), "checkpoint '", checkpoint,
              "' does not fit: it was written for another model or subject table than its run's config.yaml and ",
              "corpus '", config.corpus, "' describe (a fine-tuning checkpoint of this corpus' subjects is needed)");
  task::CtcPhonemeTask task(trained.task);
  io::load_module(task.module(), checkpoint, manifest);
  task.module().to(device);
  task.module().eval();
  log.info("decoding the ", config.split, " split of ", config.corpus, " with ", checkpoint, " (step ", manifest.step,
           "), ", config.method, " decoding");

  // ---- decoding resources
  std::unique_ptr<decode::Lexicon> lexicon;
  std::unique_ptr<decode::NgramLm> lm;
  if (config.method == "beam") {
    lexicon = std::make_unique<decode::Lexicon>(io::read_lexicon(config.lexicon));
    log.info("lexicon ", config.lexicon, ": ", lexicon->size(), " words, ", lexicon->pronunciations(), " pronunciations");
    if (!config.lm.empty()) {
      lm = std::make_unique<decode::NgramLm>(io::read_arpa(config.lm));
      log.info("language model ", config.lm, ": order ", lm->order(), ", ", lm->ngrams(), " n-grams");
    }
  }

  // ---- this rank's share of the trials
  io::SamplerOptions sampler_options;
  sampler_options.split = parse_split(config.split);
  sampler_options.batch_trials = config.micro_batch;
  sampler_options.subjects = subject_indices(index, config.subjects, config.corpus);
  io::GlobalSampler sampler(index, sampler_options);
  io::LoaderOptions loader_options;
  loader_options.pad_multiple = static_cast<int>(trained.task.model().encoder().patch_size());
  loader_options.threads = config.loader_threads;
  loader_options.normalize = config.normalize;
  io::Loader loader(reader, sampler, {}, mpi.rank(), mpi.size(), loader_options);
  const auto steps = sampler.steps_per_epoch(mpi.size());
  std::string mine;
  Progress progress(log, "decoding", steps, "steps", ProgressOptions{stderr_is_terminal(), 30.0});
  at::NoGradGuard no_grad;
  for (std::int64_t step = 0; step < steps; ++step) {
    auto batch = loader.next();
    if (batch) {
      batch->features = batch->features.to(device);
      const auto [log_probs, tokens] = task.log_probs(*batch);
      const auto cpu = log_probs.to(at::kCPU).contiguous();
      for (std::int64_t b = 0; b < batch->size(); ++b) {
        const auto trial = static_cast<std::size_t>(batch->trials[static_cast<std::size_t>(b)]);
        const float* rows = cpu[b].data_ptr<float>();
        const int frames = static_cast<int>(tokens[b].item<std::int64_t>());
        Prediction p;
        p.trial = static_cast<std::int64_t>(trial);
        p.subject = index.subjects[static_cast<std::size_t>(index.trial_subject(trial))].name;
        p.session = index.sessions[static_cast<std::size_t>(index.trial_session[trial])].date;
        std::vector<int> decoded;
        if (lexicon) {
          const auto best = decode::beam_search(rows, frames, decode::kClasses, *lexicon, lm.get(), config.beam);
          decoded = best.phonemes;
          p.text = best.text();
        } else {
          decoded = decode::greedy_decode(rows, frames, decode::kClasses);
        }
        p.phonemes = decode::phoneme_string(decoded);
        const auto length = batch->label_lengths[b].item<std::int64_t>();
        if (length > 0) {
          const auto* truth = batch->labels[b].data_ptr<std::int64_t>();
          const std::vector<int> reference(truth, truth + length);
          p.truth_phonemes = decode::phoneme_string(reference);
          decode::ErrorCounts errors;
          errors.add_phonemes(decoded, reference);
          p.phoneme_edits = errors.edits;
          p.truth_phoneme_count = errors.reference;
        }
        p.truth_text = batch->text[static_cast<std::size_t>(b)];
        if (lexicon && !p.truth_text.empty()) {
          decode::ErrorCounts errors;
          errors.add_words(p.text, p.truth_text);
          p.word_edits = errors.edits;
          p.truth_word_count = errors.reference;
        }
        mine += p.line();
      }
    }
    progress.advance();
  }

  // ---- rank 0 writes the results
  const auto texts = distributed::allgather_text(*comm, device, mine);
  if (mpi.rank() != 0) return 0;
  std::vector<Prediction> predictions;
  for (const auto& text : texts) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) predictions.push_back(Prediction::parse(line));
  }
  std::sort(predictions.begin(), predictions.end(), [](const auto& a, const auto& b) { return a.trial < b.trial; });
  std::string tsv = "trial\tsubject\tsession_date\ttrue_phonemes\tphonemes\ttrue_text\ttext\tphoneme_edits\ttrue_phoneme_count"
                    "\tword_edits\ttrue_word_count\n";
  std::string csv = "id,text\n";
  decode::ErrorCounts per, wer;
  std::int64_t id = 0;
  for (const auto& p : predictions) {
    tsv += p.line();
    csv += std::to_string(id++) + "," + csv_quote(p.text) + "\n";
    per.edits += p.phoneme_edits, per.reference += p.truth_phoneme_count;
    wer.edits += p.word_edits, wer.reference += p.truth_word_count;
  }
  io::RunDirectory out(line.run_dir);
  out.write_file("predictions.tsv", tsv);
  if (lexicon) out.write_file("submission.csv", csv);
  nlohmann::ordered_json summary;
  summary["trials"] = predictions.size();
  summary["split"] = config.split;
  summary["step"] = manifest.step;
  summary["per"] = per.reference > 0 ? nlohmann::ordered_json(per.rate()) : nlohmann::ordered_json();
  summary["phoneme_edits"] = per.edits;
  summary["phonemes"] = per.reference;
  summary["wer"] = wer.reference > 0 ? nlohmann::ordered_json(wer.rate()) : nlohmann::ordered_json();
  summary["word_edits"] = wer.edits;
  summary["words"] = wer.reference;
  out.write_file("evaluation.json", json_line(summary) + "\n");
  log.info("evaluated ", predictions.size(), " trials: PER ", per.reference > 0 ? std::to_string(per.rate()) : "n/a",
           ", WER ", wer.reference > 0 ? std::to_string(wer.rate()) : "n/a (needs decode.method beam and sentences)",
           "; results in ", line.run_dir);
  return 0;
}

}  // namespace neuroscale::jobs
