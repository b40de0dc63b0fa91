#include "jobs/ckpt/ckpt_actions.h"

#include <iostream>

namespace neuroscale::jobs {

ActionParser::ActionParser(const std::string& action, const std::string& summary,
                           std::string examples)
    : parser("neuroscale ckpt " + action, summary), examples(std::move(examples)) {
  parser.positional("PATH", &path,
                    "a run directory, its checkpoints/ directory, or one step-N/ checkpoint");
}

bool ActionParser::parse(const std::vector<std::string>& args, Runtime& runtime) {
  add_common_options(parser, common);
  parser.epilog("examples:\n" + examples);
  if (!parser.parse(args, std::cout)) return false;
  runtime.configure(common);
  return true;
}

std::string base_name(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

std::function<void(const std::string&, const std::string&)> skip_warning(Runtime& runtime) {
  return [&runtime](const std::string& path, const std::string& reason) {
    runtime.logger().warn("skipping ", base_name(path), " (it does not verify): ", reason);
  };
}

}  // namespace neuroscale::jobs
