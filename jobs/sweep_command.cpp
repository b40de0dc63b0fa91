// `neuroscale sweep plan SPEC`: the elements of a sweep spec, as the plan file that
// slurm/sweep submits as job arrays (docs/slurm.md).
#include <sys/stat.h>

#include <iostream>

#include "core/check.h"
#include "core/text.h"
#include "io/config/sweep_spec.h"
#include "jobs/command_options.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {

int run_sweep(Runtime& runtime, const std::vector<std::string>& args) {
  std::string action, spec_path, output;
  CommonOptions common;
  ArgParser parser(
      "neuroscale sweep",
      "Expand a sweep spec (configs/sweeps/*.yaml) into its elements: every combination\n"
      "of the grid's values and node counts, each with its run name and config overrides.\n\n"
      "actions:\n"
      "  plan SPEC    print the plan (or write it with --output); slurm/sweep submits it");
  parser.positional("ACTION", &action, "what to do: plan");
  parser.positional("SPEC", &spec_path, "sweep spec (.yaml)");
  parser.option("--output", &output, "FILE",
                "write the plan to FILE (atomically) instead of stdout");
  add_common_options(parser, common);
  parser.epilog("example:\n  neuroscale sweep plan configs/sweeps/participants.yaml\n");
  if (!parser.parse(args, std::cout)) return 0;
  if (!output.empty()) check_output_path(output, "--output");
  runtime.configure(common);
  const std::vector<std::string> actions = {"plan"};
  NS_CHECK_AS(UsageError, action == "plan", "neuroscale sweep: unknown action '", action, "'",
              did_you_mean(action, actions), " (expected: ", join(actions, ", "), ")");

  const auto spec = io::read_sweep_spec(spec_path);
  struct stat info {};
  NS_CHECK_AS(ConfigError, ::stat(spec.config.c_str(), &info) == 0 && S_ISREG(info.st_mode),
              spec_path, ": 'config' names '", spec.config,
              "', which is not a file (paths are relative to the directory ",
              "the sweep is submitted from)");
  const auto elements = io::expand_sweep(spec);
  const std::string plan = io::sweep_plan(spec, elements);
  if (output.empty()) {
    std::cout << plan;
  } else {
    write_output_file(output, plan, "--output");
    runtime.logger().info("sweep '", spec.name, "': ", elements.size(), " element(s) planned in ",
                          output);
  }
  return 0;
}

}  // namespace neuroscale::jobs
