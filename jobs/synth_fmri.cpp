// `neuroscale synth --kind fmri`, and the config reading both kinds share.
#include <functional>
#include <iostream>

#include "core/check.h"
#include "core/progress.h"
#include "core/text.h"
#include "io/config/config_document.h"
#include "io/fmri/fmri_reader.h"
#include "io/mpi/mpi_check.h"
#include "io/synth/synth_fmri.h"
#include "jobs/synth_kinds.h"

namespace neuroscale::jobs {

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

void generate_on_rank_zero(Runtime& runtime, const std::string& what, const std::string& output,
                           const std::string& unit,
                           const std::function<void(const SynthProgress&)>& write,
                           const std::function<std::string()>& summary) {
  auto& mpi = runtime.mpi();
  if (mpi.rank() == 0) {
    Logger& log = runtime.logger();
    log.info(what, mpi.size() > 1 ? " on rank 0 (serial)" : "");
    ReportedProgress progress(log, "synth", unit);
    write(std::ref(progress));
    const double seconds = progress.finish();
    log.info("wrote '", output, "' in ", format_duration(seconds));
    std::cout << summary();
  }
  NS_MPI_CHECK(MPI_Barrier(mpi.world()));
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
  if (!run_dir.empty()) runtime.open_run_directory(run_dir, io::to_yaml(describe));
  generate_on_rank_zero(
      runtime, "generating synthetic fMRI corpus '" + output + "'", output, "stories+participants",
      [&](const SynthProgress& progress) {
        io::write_synth_fmri(options, output, force, io::to_yaml(describe),
                             [&](std::size_t done, std::size_t total) {
                               progress(static_cast<double>(done), static_cast<double>(total));
                             });
      },
      [&] { return io::summarize(io::FmriReader(output).index()); });
  return 0;
}

}  // namespace neuroscale::jobs
