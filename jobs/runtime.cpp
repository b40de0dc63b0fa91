#include "jobs/runtime.h"

#include <hdf5.h>
#include <torch/version.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <tuple>

#include "distributed/accelerator.h"
#include "io/config/config_document.h"
#include "io/mpi/mpi_check.h"
#include "neuroscale/build_config.h"
#include "neuroscale/git_revision.h"

namespace neuroscale::jobs {

void add_common_options(ArgParser& parser, CommonOptions& options) {
  parser.flag("--verbose", &options.verbose, "print error context and debug messages");
  parser.option("--log-level", &options.log_level, "LEVEL", "debug, info (default), warn or error");
  parser.flag("--log-all-ranks", &options.log_all_ranks, "log to the console from every rank, not just rank 0");
}

void add_config_options(ArgParser& parser, ConfigCommandLine& line, const std::string& configs, bool run_dir_required,
                        bool resume) {
  parser.option("--config", &line.config_path, "FILE", "YAML config (" + configs + ")", true);
  parser.option("--run-dir", &line.run_dir, "DIR", "run directory: resolved config, environment, logs and results",
                run_dir_required);
  if (resume) {
    parser.option("--resume", &line.resume, "auto|none|DIR",
                  "auto (default): the run's latest checkpoint, else the newest of its history that verifies; "
                  "none: start the run over (its checkpoints are moved to RUN_DIR/checkpoints/off-chain/); "
                  "DIR: that checkpoint (one of the run's own: a rollback)");
    parser.flag("--trace", &line.trace,
                "write a timeline per rank to RUN_DIR/traces/rank-NNNNN.json (Chrome trace format: "
                "chrome://tracing, ui.perfetto.dev)");
  }
  parser.flag("--dry-run", &line.dry_run, "validate the config, print it resolved, and exit");
  parser.overrides(&line.overrides);
}

bool read_config(const ConfigCommandLine& line, const io::Describer& describe,
                 const std::function<void(const std::string& source)>& validate) {
  auto document = io::ConfigDocument::from_file(line.config_path);
  document.apply_overrides(line.overrides);
  document.read_into(describe);
  validate(document.source());
  if (!line.dry_run) return true;
  std::cout << io::to_yaml(describe);
  return false;
}

distributed::MpiContext& Runtime::mpi() {
  if (!mpi_) mpi_ = std::make_unique<distributed::MpiContext>();
  return *mpi_;
}

void Runtime::configure(const CommonOptions& options) {
  verbose_ = options.verbose;
  LoggerOptions logging;
  logging.level = options.verbose ? LogLevel::kDebug : parse_log_level(options.log_level);
  logging.all_ranks = options.log_all_ranks;
  logger_ = std::make_unique<Logger>(process_, logging, std::cerr);
}

namespace {

// Rank 0's (code, text) on every rank of `comm`.
std::pair<int, std::string> share_from_rank0(MPI_Comm comm, int code, std::string text) {
  long long header[2] = {code, static_cast<long long>(text.size())};
  NS_MPI_CHECK(MPI_Bcast(header, 2, MPI_LONG_LONG, 0, comm));
  text.resize(static_cast<std::size_t>(header[1]));
  NS_MPI_CHECK(MPI_Bcast(text.data(), static_cast<int>(header[1]), MPI_CHAR, 0, comm));
  return {static_cast<int>(header[0]), text};
}

}  // namespace

void Runtime::open_run_directory(const std::string& path, const std::string& resolved_config) {
  io::RunDirectory dir(path);
  run_dir_ = dir.path();
  // One job per run directory: rank 0 holds the lock; every rank learns whether it got it.
  int code = 0;
  std::string text;
  if (process_.rank == 0) {
    try {
      io::RunLockOptions options;
      const char* job = std::getenv("SLURM_JOB_ID");
      options.slurm_job = job ? job : "";
      options.holder = io::run_lock_holder(process_.host, process_.pid, options.slurm_job);
      run_lock_ = std::make_unique<io::RunLock>(dir.path(), options);
      text = run_lock_->unsupported();
    } catch (const BusyError& error) {
      code = 1;
      text = error.what();
    } catch (const Error& error) {
      code = 2;
      text = error.what();
    }
  }
  if (mpi_active() && mpi().size() > 1) std::tie(code, text) = share_from_rank0(mpi().world(), code, text);
  if (code == 1) throw BusyError(text);
  if (code == 2) throw DataError(text);
  logger_->open_file(dir.log_path(process_.rank));
  if (!text.empty()) logger_->warn(text);
  logger_->info("run directory: ", dir.path());
  if (!resolved_config.empty()) record_run(resolved_config);
}

void Runtime::record_run(const std::string& resolved_config) {
  NS_CHECK(!run_dir_.empty(), "Runtime::record_run before open_run_directory");
  if (process_.rank != 0) return;
  io::RunDirectory dir(run_dir_);
  dir.write_file("config.yaml", resolved_config);
  std::string environment = "command:";
  for (const auto& arg : command_line_) environment += " " + arg;
  environment += "\nworld_size: " + std::to_string(process_.world_size) + "\nhost (rank 0): " +
                 process_.host + "\n" + version_text();
  const std::string launcher = launcher_environment();
  if (!launcher.empty()) environment += "launcher environment:\n" + launcher;
  dir.write_file("environment.txt", environment);
}

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"synth", "generate a synthetic corpus: cross-species neural, or fMRI (--kind fmri)", run_synth},
      {"ingest", "convert recordings (b2t25, b2t24, nwb) into a corpus file", run_ingest},
      {"corpus", "inspect a corpus file (corpus info FILE)", run_corpus},
      {"model", "parameter counts of the model a config builds (model summary)", run_model},
      {"pretrain", "masked-modelling pretraining of the BIT encoder, data-parallel", run_pretrain},
      {"finetune", "CTC phoneme fine-tuning of a pretrained (or fresh) BIT encoder, data-parallel", run_finetune},
      {"braintune", "brain-tune a speech model (LoRA + shared head) on several participants' fMRI", run_braintune},
      {"evaluate", "decode with a fine-tuned checkpoint (PER/WER), or --task brain-alignment of speech models", run_evaluate},
      {"ckpt", "list, verify, inspect and export checkpoints", run_ckpt},
      {"sweep", "expand a sweep spec into the elements of a Slurm job array (sweep plan SPEC)", run_sweep},
      {"report", "one CSV of the final metrics and throughput of runs (report RUN_DIR...)", run_report},
  };
  return kCommands;
}

int report_failure(Runtime& runtime, const char* kind, const std::string& message,
                   const std::string& where, int code, bool verbose) {
  std::string text = message;
  if (!verbose) text = text.substr(0, text.find('\n'));  // LibTorch messages carry traces
  const auto& process = runtime.process();
  std::string prefix = "neuroscale";
  if (process.world_size > 1) {
    prefix += " [rank " + std::to_string(process.rank) + "/" + std::to_string(process.world_size) +
              " on " + process.host + "]";
  }
  std::fprintf(stderr, "%s: %s: %s\n", prefix.c_str(), kind, text.c_str());
  if (verbose && !where.empty()) std::fprintf(stderr, "  thrown at %s\n", where.c_str());
  std::fflush(stderr);
  if (runtime.mpi_active() && runtime.mpi().size() > 1) runtime.mpi().abort(code);
  return code;
}

std::string version_text() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  std::string text = std::string("neuroscale ") + NEUROSCALE_VERSION + " (git " +
                     NEUROSCALE_GIT_REVISION + ", " + NEUROSCALE_BUILD_TYPE + " build)\n";
  text += "LibTorch " + std::to_string(TORCH_VERSION_MAJOR) + "." +
          std::to_string(TORCH_VERSION_MINOR) + "." + std::to_string(TORCH_VERSION_PATCH) + "\n";
  text += "MPI: " + distributed::mpi_library_version() + "\n";
  text += "HDF5 " + std::to_string(major) + "." + std::to_string(minor) + "." +
          std::to_string(release) + (H5_HAVE_PARALLEL ? " (parallel)" : " (serial)") + "\n";
  text += distributed::nccl_version() + "\n";
  return text;
}

}  // namespace neuroscale::jobs
