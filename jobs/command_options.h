// The command-line options shared by subcommands: the common ones (logging, verbosity), and
// those of a command driven by a YAML config (--config, --run-dir, --resume, --trace,
// --dry-run, overrides), with reading the config through a schema.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "io/config/config_visitor.h"
#include "jobs/cli/arg_parser.h"

namespace neuroscale::jobs {

// Options every subcommand accepts.
struct CommonOptions {
  bool verbose = false;        // error context and debug logging
  bool log_all_ranks = false;  // console logging from every rank, not just rank 0
  std::string log_level = "info";
};
void add_common_options(ArgParser& parser, CommonOptions& options);

// The options of a command driven by a YAML config: --config FILE (required), --run-dir DIR,
// --resume and --trace (training commands), --dry-run, and key.sub=value overrides.
struct ConfigCommandLine {
  std::string config_path, run_dir, resume = "auto";
  bool dry_run = false;
  bool trace = false;  ///< --trace: RUN_DIR/traces/rank-NNNNN.json (training commands)
  std::vector<std::string> overrides;
};
// `configs` names where its configs live ("configs/pretrain/*.yaml").
void add_config_options(ArgParser& parser, ConfigCommandLine& line, const std::string& configs,
                        bool run_dir_required, bool resume);
// Reads the config file with the overrides through `describe`, then calls `validate` with
// the document's name (for messages). With --dry-run, prints the resolved config and returns
// false: the command is done.
bool read_config(const ConfigCommandLine& line, const io::Describer& describe,
                 const std::function<void(const std::string& source)>& validate);

// Output files named by an option (`--output FILE`): written to a temporary name and renamed.
// A path that exists and is not a regular file (/dev/null, /dev/stdout) is refused with a
// UsageError naming `option`: the rename would replace it. Commands check before their work
// and write after it.
void check_output_path(const std::string& path, const char* option);
void write_output_file(const std::string& path, const std::string& text, const char* option);

}  // namespace neuroscale::jobs
