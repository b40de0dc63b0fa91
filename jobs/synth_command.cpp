// `neuroscale synth`: generate a synthetic cross-species corpus, in parallel under mpirun.
#include <chrono>
#include <iostream>
#include <optional>

#include "core/check.h"
#include "core/progress.h"
#include "core/text.h"
#include "io/config/config_document.h"
#include "io/corpus/corpus_reader.h"
#include "io/synth/synth_corpus.h"
#include "io/run/run_directory.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {

int run_synth(Runtime& runtime, const std::vector<std::string>& args) {
  // ---- command line
  std::string config_path, output, run_dir, lexicon;
  bool force = false, dry_run = false;
  std::vector<std::string> overrides;
  CommonOptions common;
  ArgParser parser("neuroscale synth",
                   "Generate a synthetic cross-species corpus (human speech and monkey reaching\n"
                   "subjects sharing latent dynamics) in the neuroscale corpus format. Without\n"
                   "--config the built-in tiny corpus is generated (configs/synth/tiny.yaml).");
  parser.option("--config", &config_path, "FILE", "YAML config (configs/synth/*.yaml)");
  parser.option("--output", &output, "FILE", "corpus file to write (.h5; required unless --dry-run)");
  parser.option("--run-dir", &run_dir, "DIR", "also write the resolved config, environment and per-rank logs to DIR");
  parser.option("--lexicon", &lexicon, "FILE",
                "also write the generator's vocabulary as a CMU-dict style lexicon (for decoding)");
  parser.flag("--force", &force, "replace an existing output file");
  parser.flag("--dry-run", &dry_run, "validate the config, print it resolved, and exit");
  add_common_options(parser, common);
  parser.overrides(&overrides);
  parser.epilog(
      "examples:\n"
      "  neuroscale synth --config configs/synth/tiny.yaml --output corpus.h5\n"
      "  mpirun -np 4 neuroscale synth --config configs/synth/small.yaml --output corpus.h5 seed=7\n");
  if (!parser.parse(args, std::cout)) return 0;
  runtime.configure(common);

  // ---- config
  io::ConfigDocument document = config_path.empty()
                                    ? io::ConfigDocument::empty("built-in synth defaults")
                                    : io::ConfigDocument::from_file(config_path);
  document.apply_overrides(overrides);
  io::SynthOptions options;
  io::Describer describe = [&](io::ConfigVisitor& v) { io::describe(v, options); };
  document.read_into(describe);
  io::validate(options, document.source());
  if (dry_run) {
    std::cout << io::to_yaml(describe);
    return 0;
  }
  NS_CHECK_AS(UsageError, !output.empty(),
              "neuroscale synth: missing required option --output FILE (see 'neuroscale synth --help')");

  // ---- generate and write (collective)
  auto& mpi = runtime.mpi();
  if (!run_dir.empty()) runtime.open_run_directory(run_dir, io::to_yaml(describe));
  Logger& log = runtime.logger();
  log.info("generating synthetic corpus '", output, "' on ", mpi.size(), " rank(s)");
  const auto start = std::chrono::steady_clock::now();
  std::optional<Progress> progress;  // created when the number of sessions is known
  io::write_synth_corpus(options, output, mpi.world(), force, [&](std::size_t done, std::size_t total) {
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
