#include "jobs/command_options.h"

#include <sys/stat.h>

#include <iostream>

#include "core/check.h"
#include "io/config/config_document.h"
#include "io/fs/files.h"

namespace neuroscale::jobs {

void add_common_options(ArgParser& parser, CommonOptions& options) {
  parser.flag("--verbose", &options.verbose, "print error context and debug messages");
  parser.option("--log-level", &options.log_level, "LEVEL", "debug, info (default), warn or error");
  parser.flag("--log-all-ranks", &options.log_all_ranks,
              "log to the console from every rank, not just rank 0");
}

void add_config_options(ArgParser& parser, ConfigCommandLine& line, const std::string& configs,
                        bool run_dir_required, bool resume) {
  parser.option("--config", &line.config_path, "FILE", "YAML config (" + configs + ")", true);
  parser.option("--run-dir", &line.run_dir, "DIR",
                "run directory: resolved config, environment, logs and results", run_dir_required);
  if (resume) {
    parser.option(
        "--resume", &line.resume, "auto|none|DIR",
        "auto (default): the run's latest checkpoint, else the newest of its history that "
        "verifies; "
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

void check_output_path(const std::string& path, const char* option) {
  struct stat info {};
  NS_CHECK_AS(UsageError, ::stat(path.c_str(), &info) != 0 || S_ISREG(info.st_mode), option, " '",
              path,
              "' exists and is not a regular file (outputs are written to a new file and renamed "
              "over it)");
}

void write_output_file(const std::string& path, const std::string& text, const char* option) {
  check_output_path(path, option);
  io::write_file_atomically(path, text);
}

}  // namespace neuroscale::jobs
