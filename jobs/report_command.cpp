// `neuroscale report RUN_DIR...`: one CSV line per run (final and best metrics, throughput,
// time, launch, and the config keys that differ between the runs).
#include <iostream>

#include "core/check.h"
#include "io/run/run_directory.h"
#include "io/run/run_summary.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {

int run_report(Runtime& runtime, const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  std::string output;
  CommonOptions common;
  ArgParser parser("neuroscale report",
                   "Summarise runs into one CSV: per run its status (finished: reached train.max_steps),\n"
                   "last step, ranks, nodes, Slurm job and restarts, training time, mean throughput\n"
                   "(after the first log interval), each metric's final value, the best validation\n"
                   "losses, and the config keys whose values differ between the runs (a sweep's axes).");
  parser.positional_list("RUN_DIR", &paths, "a run directory, or a directory of runs (a sweep)");
  parser.option("--output", &output, "FILE", "write the CSV to FILE (atomically) instead of stdout");
  add_common_options(parser, common);
  parser.epilog("example:\n  neuroscale report runs/sweeps/participants --output participants.csv\n");
  if (!parser.parse(args, std::cout)) return 0;
  runtime.configure(common);

  std::vector<io::RunSummary> runs;
  for (const auto& dir : io::find_runs(paths)) runs.push_back(io::summarize_run(dir));
  const std::string csv = io::report_csv(runs);
  if (output.empty()) {
    std::cout << csv;
  } else {
    io::write_file_atomically(output, csv);
    runtime.logger().info("report of ", runs.size(), " run(s) written to ", output);
  }
  return 0;
}

}  // namespace neuroscale::jobs
