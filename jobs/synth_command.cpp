// `neuroscale synth`: generate a synthetic cross-species corpus, in parallel under mpirun.
#include <functional>
#include <iostream>

#include "core/check.h"
#include "core/progress.h"
#include "core/text.h"
#include "io/config/config_document.h"
#include "io/corpus/corpus_reader.h"
#include "io/fs/files.h"
#include "io/synth/synth_corpus.h"
#include "jobs/runtime.h"
#include "jobs/synth_kinds.h"

namespace neuroscale::jobs {

int run_synth(Runtime& runtime, const std::vector<std::string>& args) {
  // ---- command line
  std::string config_path, output, run_dir, lexicon, sentences, kind = "neural";
  bool force = false, dry_run = false;
  std::vector<std::string> overrides;
  CommonOptions common;
  ArgParser parser(
      "neuroscale synth",
      "Generate a synthetic cross-species corpus (human speech and monkey reaching\n"
      "subjects sharing latent dynamics) in the neuroscale corpus format. Without\n"
      "--config the built-in tiny corpus is generated (configs/synth/tiny.yaml).\n"
      "With --kind fmri, a synthetic fMRI corpus instead (docs/fmri-format.md): stories\n"
      "spoken by espeak-ng, participants' responses from a hidden encoding model with\n"
      "known ground truth (configs/synth/fmri-*.yaml; built-in: fmri-tiny).\n"
      "With --kind speech, a speech corpus (docs/speech-format.md): sentences from a word\n"
      "list spoken by espeak-ng in varied voices, rates and pitches, with each phoneme's\n"
      "timing (configs/synth/speech-*.yaml; built-in: 3 minutes).");
  parser.option("--kind", &kind, "KIND",
                "neural (default: the neural corpus), fmri (an fMRI corpus) or speech (a speech "
                "corpus with phoneme timing)");
  parser.option("--config", &config_path, "FILE", "YAML config (configs/synth/*.yaml)");
  parser.option("--output", &output, "FILE",
                "corpus file to write (.h5; required unless --dry-run)");
  parser.option("--run-dir", &run_dir, "DIR",
                "also write the resolved config, environment and per-rank logs to DIR");
  parser.option("--lexicon", &lexicon, "FILE",
                "also write the generator's vocabulary as a CMU-dict style lexicon (for decoding)");
  parser.option(
      "--sentences", &sentences, "PREFIX",
      "also write the trials' sentences, one per line, to PREFIX.train.txt, PREFIX.val.txt "
      "and PREFIX.test.txt (to train an LM on the synthetic language: neuroscale lm train)");
  parser.flag("--force", &force, "replace an existing output file");
  parser.flag("--dry-run", &dry_run, "validate the config, print it resolved, and exit");
  add_common_options(parser, common);
  parser.overrides(&overrides);
  parser.epilog(
      "examples:\n"
      "  neuroscale synth --config configs/synth/tiny.yaml --output corpus.h5\n"
      "  mpirun -np 4 neuroscale synth --config configs/synth/small.yaml --output corpus.h5 "
      "seed=7\n"
      "  neuroscale synth --kind fmri --config configs/synth/fmri-tiny.yaml --output fmri.h5\n"
      "  neuroscale synth --kind speech --config configs/synth/speech-small.yaml --output "
      "speech.h5\n"
      "  neuroscale synth --output corpus.h5 --sentences runs/sentences   # then: neuroscale lm "
      "train\n");
  if (!parser.parse(args, std::cout)) return 0;
  runtime.configure(common);
  NS_CHECK_AS(UsageError, kind == "neural" || kind == "fmri" || kind == "speech",
              "neuroscale synth: --kind '", kind, "' is not neural, fmri or speech");
  if (kind != "neural") {
    NS_CHECK_AS(UsageError, lexicon.empty() && sentences.empty(),
                "neuroscale synth: --lexicon and --sentences apply to --kind neural only");
    return kind == "fmri"
               ? run_synth_fmri(runtime, config_path, output, run_dir, force, dry_run, overrides)
               : run_synth_speech(runtime, config_path, output, run_dir, force, dry_run, overrides);
  }

  // ---- config
  io::SynthOptions options;
  io::Describer describe = [&](io::ConfigVisitor& v) { io::describe(v, options); };
  if (!read_synth_config(
          config_path, "built-in synth defaults", overrides, describe,
          [&](const std::string& source) { io::validate(options, source); }, dry_run, output)) {
    return 0;
  }

  // ---- generate and write (collective)
  auto& mpi = runtime.mpi();
  if (!run_dir.empty()) runtime.open_run_directory(run_dir, io::to_yaml(describe));
  Logger& log = runtime.logger();
  log.info("generating synthetic corpus '", output, "' on ", mpi.size(), " rank(s)");
  ReportedProgress progress(log, "synth", "sessions");
  io::write_synth_corpus(options, output, mpi.world(), force, std::ref(progress));
  const double seconds = progress.finish();

  // ---- summary
  if (mpi.rank() == 0) {
    if (!lexicon.empty()) {
      io::write_file_atomically(lexicon, io::synth_lexicon_text(options));
      log.info("wrote the vocabulary's lexicon to '", lexicon, "'");
    }
    io::CorpusReader reader(output, MPI_COMM_NULL);
    if (!sentences.empty()) {
      const auto& index = reader.index();
      for (const auto split : {io::Split::kTrain, io::Split::kVal, io::Split::kTest}) {
        std::string text;
        for (std::size_t t = 0; t < index.trial_count(); ++t) {
          if (index.trial_split[t] == static_cast<std::int8_t>(split) && index.text_length[t] > 0) {
            text += reader.read_text(t) + "\n";
          }
        }
        const auto path = sentences + "." + io::to_string(split) + ".txt";
        io::write_file_atomically(path, text);
        log.info("wrote the ", io::to_string(split), " sentences to '", path, "'");
      }
    }
    log.info("wrote '", output, "' in ", format_duration(seconds));
    std::cout << io::summarize(reader.index(), output);
  }
  return 0;
}

}  // namespace neuroscale::jobs
