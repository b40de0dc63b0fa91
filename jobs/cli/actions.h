// Subcommands with actions (`neuroscale ckpt list PATH`, `neuroscale lm generate ...`): the
// action is the first argument, or the first argument naming an action after options
// (`ckpt --verbose list PATH`); it parses the rest itself. Without an action the command's
// own parser prints its help (listing the actions) or the usage error.
#pragma once

#include <string>
#include <vector>

#include "jobs/runtime.h"

namespace neuroscale::jobs {

struct Action {
  const char* name;
  const char* summary;
  int (*run)(Runtime& runtime, const std::vector<std::string>& args);
};

struct ActionCommand {
  std::string program;  ///< "neuroscale ckpt"
  std::string summary;  ///< first paragraph of --help; the list of actions follows
  std::string notes;    ///< after the list (operands, where to read more)
  std::string operand;  ///< a positional after the action, for the usage line ("" : none)
  std::string operand_help;
  std::string examples;  ///< the epilog
  std::vector<Action> actions;
};

// Runs the action `args` names with the remaining arguments; throws UsageError naming an
// unknown action (with a suggestion).
int run_action(Runtime& runtime, const ActionCommand& command,
               const std::vector<std::string>& args);

}  // namespace neuroscale::jobs
