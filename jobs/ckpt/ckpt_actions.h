// The actions of `neuroscale ckpt` (dispatched by jobs/ckpt_command.cpp): each parses its
// own arguments (PATH, its options, the common options) and returns the exit code; errors
// are thrown. They read checkpoints in one process without MPI (io/checkpoint).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "jobs/cli/arg_parser.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {

int list_checkpoints(Runtime& runtime, const std::vector<std::string>& args);
int verify_checkpoints(Runtime& runtime, const std::vector<std::string>& args);
int inspect_checkpoint(Runtime& runtime, const std::vector<std::string>& args);
int export_checkpoint(Runtime& runtime, const std::vector<std::string>& args);

// An action's parser: PATH, the action's own options (added by the action), then the
// common options and the examples.
struct ActionParser {
  ActionParser(const std::string& action, const std::string& summary, std::string examples);
  // Parses `args` and configures `runtime`; false after printing --help.
  bool parse(const std::vector<std::string>& args, Runtime& runtime);

  ArgParser parser;
  std::string path, examples;
  CommonOptions common;
};

// The last component of `path` ("step-00000030").
std::string base_name(const std::string& path);

// Logs a checkpoint skipped because it does not verify.
std::function<void(const std::string&, const std::string&)> skip_warning(Runtime& runtime);

}  // namespace neuroscale::jobs
