// What every subcommand runs with: the process identity, the logger, and (when the
// subcommand needs it) the MPI context. Owned by main; subcommands receive it by reference.
#pragma once

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/process_info.h"
#include "distributed/mpi/mpi_context.h"
#include "io/run/run_directory.h"
#include "io/run/run_lock.h"
#include "jobs/cli/arg_parser.h"
#include "jobs/command_options.h"

namespace neuroscale::jobs {

class Runtime {
 public:
  // `command_line` is the full argv, recorded in the run directory.
  explicit Runtime(std::vector<std::string> command_line = {})
      : process_(detect_process()), command_line_(std::move(command_line)) {}

  const ProcessInfo& process() const { return process_; }
  // Initialises MPI on first use; afterwards a failure on any rank aborts the whole job.
  distributed::MpiContext& mpi();
  bool mpi_active() const { return mpi_ != nullptr; }

  // Applies the common options (log level, ranks); call once after parsing.
  void configure(const CommonOptions& options);
  Logger& logger() { return *logger_; }

  // Creates the run directory `path` (every rank), takes its lock on rank 0 for the rest of
  // the process (io/run/run_lock.h; BusyError naming the holder when another job has it),
  // sends this rank's log lines to logs/rank-N.log and, unless `resolved_config` is empty,
  // records the run (record_run). Call after MPI is up when the job is multi-rank.
  void open_run_directory(const std::string& path, const std::string& resolved_config);
  // Writes config.yaml (`resolved_config`) and environment.txt from rank 0: a training job
  // calls it once it knows the run directory's checkpoints fit its config.
  void record_run(const std::string& resolved_config);
  bool verbose() const { return verbose_; }

 private:
  ProcessInfo process_;
  std::vector<std::string> command_line_;
  std::unique_ptr<distributed::MpiContext> mpi_;
  std::string run_dir_;
  std::unique_ptr<io::RunLock> run_lock_;  ///< rank 0, while a run directory is open
  std::unique_ptr<Logger> logger_ = std::make_unique<Logger>(process_, LoggerOptions{}, std::cerr);
  bool verbose_ = false;
};

// One `neuroscale` subcommand. `run` parses its own arguments (after the subcommand name)
// and returns the process exit code; errors are thrown.
struct Command {
  const char* name;
  const char* summary;
  int (*run)(Runtime& runtime, const std::vector<std::string>& args);
};

// The subcommands, in the order `neuroscale --help` lists them.
const std::vector<Command>& commands();

int run_synth(Runtime& runtime, const std::vector<std::string>& args);
int run_corpus(Runtime& runtime, const std::vector<std::string>& args);
int run_model(Runtime& runtime, const std::vector<std::string>& args);
int run_pretrain(Runtime& runtime, const std::vector<std::string>& args);
int run_finetune(Runtime& runtime, const std::vector<std::string>& args);
int run_braintune(Runtime& runtime, const std::vector<std::string>& args);
// `evaluate --task brain-alignment` (run_evaluate dispatches to it).
int run_brain_alignment(Runtime& runtime, const std::vector<std::string>& args);
int run_evaluate(Runtime& runtime, const std::vector<std::string>& args);
int run_ingest(Runtime& runtime, const std::vector<std::string>& args);
int run_ckpt(Runtime& runtime, const std::vector<std::string>& args);
int run_lm(Runtime& runtime, const std::vector<std::string>& args);
int run_report(Runtime& runtime, const std::vector<std::string>& args);
int run_speech(Runtime& runtime, const std::vector<std::string>& args);
int run_sweep(Runtime& runtime, const std::vector<std::string>& args);

// Reports an error the way every neuroscale process does: one line on stderr ("neuroscale
// [rank r/N on host]: <kind>: <message>", the throw site too when `verbose`), then, in a
// multi-rank job, MPI_Abort so no other rank waits forever. Returns `code` otherwise.
int report_failure(Runtime& runtime, const char* kind, const std::string& message,
                   const std::string& where, int code, bool verbose);

// `neuroscale --version` text: version, git revision, and the libraries found.
std::string version_text();

}  // namespace neuroscale::jobs
