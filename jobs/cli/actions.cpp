#include "jobs/cli/actions.h"

#include <algorithm>
#include <iostream>

#include "core/check.h"
#include "core/text.h"

namespace neuroscale::jobs {

int run_action(Runtime& runtime, const ActionCommand& command,
               const std::vector<std::string>& args) {
  std::vector<std::string> names;
  std::string summary = command.summary + "\n\nactions:\n";
  for (const auto& action : command.actions) {
    const std::string name = action.name;
    names.push_back(name);
    summary += "  " + name + std::string(std::max<std::size_t>(2, 10 - name.size()), ' ') +
               action.summary + "\n";
  }
  if (!command.notes.empty()) summary += "\n" + command.notes;
  std::vector<std::string> rest = args;
  auto named = rest.begin();
  if (!rest.empty() && starts_with(rest[0], "-")) {
    named = std::find_first_of(rest.begin(), rest.end(), names.begin(), names.end());
  }
  std::string action, operand;
  if (named != rest.end()) {
    action = *named;
    rest.erase(named);
  } else {
    CommonOptions common;
    ArgParser parser(command.program, summary);
    parser.positional("ACTION", &action, "what to do: " + join(names, ", "));
    if (!command.operand.empty())
      parser.positional(command.operand, &operand, command.operand_help, false);
    add_common_options(parser, common);
    parser.epilog(command.examples);
    if (!parser.parse(args, std::cout)) return 0;
  }
  for (const auto& candidate : command.actions) {
    if (action == candidate.name) return candidate.run(runtime, rest);
  }
  NS_THROW(UsageError, command.program, ": unknown action '", action, "'",
           did_you_mean(action, names), " (expected: ", join(names, ", "), ")");
}

}  // namespace neuroscale::jobs
