// What every config-driven subcommand (`pretrain`, `finetune`, `braintune`, `evaluate` and
// its brain-alignment task) sets up before its own work, in one object and in this order:
// the command line (--config, --run-dir, for training jobs --resume and --trace, --dry-run,
// key.sub=value overrides, the common options, and the job's own), the config read through
// the job's schema and validated, and for evaluation jobs the run directory (recording the
// resolved config), the device and the communicator. Training jobs open a TrainingSession
// instead (jobs/training_job.h), which owns their device and communicator.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "distributed/communicator.h"
#include "io/config/config_visitor.h"
#include "jobs/cli/arg_parser.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {

class ConfigJob {
 public:
  enum class Kind {
    kTraining,    ///< --run-dir optional; --resume and --trace
    kEvaluation,  ///< --run-dir required (the results go there)
  };
  // `program` and `summary` head --help; `configs` names where the job's configs live
  // ("configs/pretrain/*.yaml").
  ConfigJob(Runtime& runtime, Kind kind, const std::string& program, const std::string& summary,
            const std::string& configs);
  ~ConfigJob();

  // The job's own options and examples, added before parse().
  ArgParser& parser() { return parser_; }

  // Parses `args`, applies the common options, reads the config file with the overrides
  // through `describe` (which must stay valid while this object is used) and calls
  // `validate` with the document's name. Returns false when the job is done: --help or
  // --dry-run printed what was asked. Errors are thrown (UsageError, ConfigError).
  bool parse(const std::vector<std::string>& args, io::Describer describe,
             const std::function<void(const std::string& source)>& validate);

  // parse() through the schema of `config` (the describe() and validate() of its type).
  template <class Config>
  bool parse(const std::vector<std::string>& args, Config& config) {
    return parse(
        args, [&config](io::ConfigVisitor& v) { describe(v, config); },
        [&config](const std::string& source) { validate(config, source); });
  }

  const ConfigCommandLine& line() const { return line_; }
  const std::string& run_dir() const { return line_.run_dir; }
  // The config as read, every key resolved (what RUN_DIR/config.yaml records).
  std::string resolved_config() const;
  Runtime& runtime() { return runtime_; }
  Logger& log() { return runtime_.logger(); }
  distributed::MpiContext& mpi() { return runtime_.mpi(); }

  // Evaluation jobs: opens the run directory recording the resolved config, picks the
  // device `device` names (cpu, cuda: this local rank's GPU) and makes the communicator.
  void open(const std::string& device);
  const at::Device& device() const { return device_; }
  distributed::Communicator& comm();

 private:
  Runtime& runtime_;
  ArgParser parser_;
  ConfigCommandLine line_;
  CommonOptions common_;
  io::Describer describe_;
  at::Device device_{at::kCPU};
  std::unique_ptr<distributed::Communicator> comm_;
};

}  // namespace neuroscale::jobs
