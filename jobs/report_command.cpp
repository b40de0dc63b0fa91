// `neuroscale report RUN_DIR...`: one CSV line per run (final and best metrics, throughput,
// time, launch, and the config keys that differ between the runs), a summary table, and
// PNG plots drawn by scripts/report_plots.py with matplotlib.
#include <iostream>
#include <vector>

#include "core/check.h"
#include "io/run/report_plots.h"
#include "io/run/report_table.h"
#include "io/run/run_summary.h"
#include "jobs/command_options.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {
int run_report(Runtime& runtime, const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  std::string output, table, plots;
  CommonOptions common;
  ArgParser parser(
      "neuroscale report",
      "Summarise runs into one CSV: per run its status (finished: reached train.max_steps),\n"
      "last step, ranks, nodes, Slurm job and restarts, training time, mean throughput\n"
      "(after the first log interval), each metric's final value, the best validation\n"
      "losses, and the config keys whose values differ between the runs (a sweep's axes).\n"
      "Also a summary table (markdown) and PNG plots: loss curves, throughput and scaling\n"
      "efficiency against ranks, PER against label fraction, brain-tuning losses.");
  parser.positional_list("RUN_DIR", &paths, "a run directory, or a directory of runs (a sweep)");
  parser.option(
      "--output", &output, "FILE",
      "write the CSV to FILE (atomically) instead of stdout; the table then goes to stdout");
  parser.option("--table", &table, "FILE",
                "write the summary table (markdown) to FILE (atomically); - for stdout");
  parser.option("--plots", &plots, "DIR",
                "draw PNG plots into DIR (created if needed) with matplotlib "
                "(scripts/report_plots.py); a plot "
                "without data is skipped with a message");
  add_common_options(parser, common);
  parser.epilog(
      "examples:\n"
      "  neuroscale report runs/sweeps/participants --output participants.csv\n"
      "  neuroscale report runs/scaling/np* runs/ft-* --table - --plots plots/\n");
  if (!parser.parse(args, std::cout)) return 0;
  runtime.configure(common);
  Logger& log = runtime.logger();

  std::vector<io::RunSummary> runs;
  for (const auto& dir : io::find_runs(paths)) runs.push_back(io::summarize_run(dir));

  // ---- CSV
  const std::string csv = io::report_csv(runs);
  if (output.empty()) {
    std::cout << csv;
  } else {
    write_output_file(output, csv, "--output");
    log.info("report of ", runs.size(), " run(s) written to ", output);
  }

  // ---- table
  const std::string text = io::report_table(runs);
  if (table == "-" || (table.empty() && !output.empty())) {
    std::cout << text << std::flush;
  } else if (!table.empty()) {
    write_output_file(table, text, "--table");
    log.info("summary table written to ", table);
  }

  // ---- plots
  if (!plots.empty()) io::draw_report_plots(runs, plots, log);
  return 0;
}

}  // namespace neuroscale::jobs
