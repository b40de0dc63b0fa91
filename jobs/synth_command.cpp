// `neuroscale synth`: generate a synthetic cross-species corpus, in parallel under mpirun.
#include <chrono>
#include <functional>
#include <iostream>
#include <optional>

#include "core/check.h"
#include "core/progress.h"
#include "core/text.h"
#include "io/config/config_document.h"
#include "io/corpus/corpus_reader.h"
#include "io/fmri/fmri_reader.h"
#include "io/fs/files.h"
#include "io/mpi/mpi_check.h"
#include "io/synth/synth_corpus.h"
#include "io/synth/synth_fmri.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {
namespace {

// Reads `config_path` (or the built-in defaults, named `builtin`) with the overrides into
// `describe` and validates it. With --dry-run prints the resolved config and returns false
// (the command is done); otherwise requires --output.
bool read_synth_config(const std::string& config_path, const char* builtin,
                       const std::vector<std::string>& overrides, const io::Describer& describe,
                       const std::function<void(const std::string&)>& validate, bool dry_run,
                       const std::string& output) {
  io::ConfigDocument document = config_path.empty() ? io::ConfigDocument::empty(builtin)
                                                    : io::ConfigDocument::from_file(config_path);
  document.apply_overrides(overrides);
  document.read_into(describe);
  validate(document.source());
  if (dry_run) {
    std::cout << io::to_yaml(describe);
    return false;
  }
  NS_CHECK_AS(
      UsageError, !output.empty(),
      "neuroscale synth: missing required option --output FILE (see 'neuroscale synth --help')");
  return true;
}

// `--kind fmri`: stories spoken by espeak-ng and participants' responses from a hidden
// encoding model (io/synth/synth_fmri.h). Serial: under mpirun, rank 0 generates and writes
// while the other ranks wait for it.
int run_synth_fmri(Runtime& runtime, const std::string& config_path, const std::string& output,
                   const std::string& run_dir, bool force, bool dry_run,
                   const std::vector<std::string>& overrides) {
  // ---- config
  io::SynthFmriOptions options;
  io::Describer describe = [&](io::ConfigVisitor& v) { io::describe(v, options); };
  if (!read_synth_config(
          config_path, "built-in fMRI synth defaults", overrides, describe,
          [&](const std::string& source) { io::validate(options, source); }, dry_run, output)) {
    return 0;
  }

  // ---- generate and write (rank 0)
  auto& mpi = runtime.mpi();
  if (!run_dir.empty()) runtime.open_run_directory(run_dir, io::to_yaml(describe));
  Logger& log = runtime.logger();
  if (mpi.rank() == 0) {
    log.info("generating synthetic fMRI corpus '", output, "'",
             mpi.size() > 1 ? " on rank 0 (serial)" : "");
    const auto start = std::chrono::steady_clock::now();
    std::optional<Progress> progress;
    io::write_synth_fmri(
        options, output, force, io::to_yaml(describe), [&](std::size_t done, std::size_t total) {
          if (!progress) {
            progress.emplace(log, "synth", static_cast<std::int64_t>(total), "stories+participants",
                             ProgressOptions{stderr_is_terminal(), 30.0});
          }
          progress->update(static_cast<std::int64_t>(done));
        });
    progress.reset();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    log.info("wrote '", output, "' in ", format_duration(seconds));
    std::cout << io::summarize(io::FmriReader(output).index());
  }
  NS_MPI_CHECK(MPI_Barrier(mpi.world()));
  return 0;
}

}  // namespace

int run_synth(Runtime& runtime, const std::vector<std::string>& args) {
  // ---- command line
  std::string config_path, output, run_dir, lexicon, kind = "neural";
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
      "known ground truth (configs/synth/fmri-*.yaml; built-in: fmri-tiny).");
  parser.option("--kind", &kind, "KIND",
                "neural (default: the neural corpus) or fmri (an fMRI corpus)");
  parser.option("--config", &config_path, "FILE", "YAML config (configs/synth/*.yaml)");
  parser.option("--output", &output, "FILE",
                "corpus file to write (.h5; required unless --dry-run)");
  parser.option("--run-dir", &run_dir, "DIR",
                "also write the resolved config, environment and per-rank logs to DIR");
  parser.option("--lexicon", &lexicon, "FILE",
                "also write the generator's vocabulary as a CMU-dict style lexicon (for decoding)");
  parser.flag("--force", &force, "replace an existing output file");
  parser.flag("--dry-run", &dry_run, "validate the config, print it resolved, and exit");
  add_common_options(parser, common);
  parser.overrides(&overrides);
  parser.epilog(
      "examples:\n"
      "  neuroscale synth --config configs/synth/tiny.yaml --output corpus.h5\n"
      "  mpirun -np 4 neuroscale synth --config configs/synth/small.yaml --output corpus.h5 "
      "seed=7\n"
      "  neuroscale synth --kind fmri --config configs/synth/fmri-tiny.yaml --output fmri.h5\n");
  if (!parser.parse(args, std::cout)) return 0;
  runtime.configure(common);
  NS_CHECK_AS(UsageError, kind == "neural" || kind == "fmri", "neuroscale synth: --kind '", kind,
              "' is not neural or fmri");
  if (kind == "fmri") {
    NS_CHECK_AS(UsageError, lexicon.empty(),
                "neuroscale synth: --lexicon applies to --kind neural only");
    return run_synth_fmri(runtime, config_path, output, run_dir, force, dry_run, overrides);
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
  const auto start = std::chrono::steady_clock::now();
  std::optional<Progress> progress;  // created when the number of sessions is known
  io::write_synth_corpus(
      options, output, mpi.world(), force, [&](std::size_t done, std::size_t total) {
        if (!progress) {
          progress.emplace(log, "synth", static_cast<std::int64_t>(total), "sessions",
                           ProgressOptions{stderr_is_terminal(), 30.0});
        }
        progress->update(static_cast<std::int64_t>(done));
      });
  progress.reset();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // ---- summary
  if (mpi.rank() == 0) {
    if (!lexicon.empty()) {
      io::write_file_atomically(lexicon, io::synth_lexicon_text());
      log.info("wrote the vocabulary's lexicon to '", lexicon, "'");
    }
    io::CorpusReader reader(output, MPI_COMM_NULL);
    log.info("wrote '", output, "' in ", format_duration(seconds));
    std::cout << io::summarize(reader.index(), output);
  }
  return 0;
}

}  // namespace neuroscale::jobs
