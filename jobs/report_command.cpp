// `neuroscale report RUN_DIR...`: one CSV line per run (final and best metrics, throughput,
// time, launch, and the config keys that differ between the runs), a summary table, and
// PNG plots drawn by scripts/report_plots.py with matplotlib.
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <vector>

#include "core/check.h"
#include "io/fs/files.h"
#include "io/run/plot_data.h"
#include "io/run/report_table.h"
#include "io/run/run_summary.h"
#include "jobs/runtime.h"

extern char** environ;

namespace neuroscale::jobs {
namespace {

// The plotting script: $NEUROSCALE_REPORT_PLOTS, else <bin>/../share/neuroscale/report_plots.py
// (the copy CMake puts in the build tree), else <bin>/../../scripts/report_plots.py (a build
// directory inside the source tree). Throws naming the places looked at.
std::string plot_script() {
  if (const char* path = std::getenv("NEUROSCALE_REPORT_PLOTS")) {
    NS_CHECK_AS(UsageError, io::is_regular_file(path), "NEUROSCALE_REPORT_PLOTS='", path, "' is not a file");
    return path;
  }
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  NS_CHECK(n > 0, "cannot find the neuroscale executable (/proc/self/exe): ", std::strerror(errno));
  const std::string exe_path(exe, static_cast<std::size_t>(n));
  const std::string bin = exe_path.substr(0, exe_path.rfind('/'));
  const std::vector<std::string> candidates = {bin + "/../share/neuroscale/report_plots.py",
                                               bin + "/../../scripts/report_plots.py"};
  for (const auto& path : candidates) {
    if (io::is_regular_file(path)) return path;
  }
  NS_THROW(UsageError, "cannot find report_plots.py (looked for ", candidates[0], " and ", candidates[1],
           "); set NEUROSCALE_REPORT_PLOTS to its path");
}

// The Python that draws: $NEUROSCALE_PYTHON, else Debian's /usr/bin/python3 (which has
// python3-matplotlib), else python3 on PATH.
std::string python() {
  if (const char* path = std::getenv("NEUROSCALE_PYTHON")) return path;
  return io::is_regular_file("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

// Runs `python script data dir`; the script prints what it wrote and skipped. Exit 3 means
// matplotlib is missing.
void draw_plots(const std::string& data, const std::string& dir, Logger& log) {
  const std::string interpreter = python(), script = plot_script();
  std::vector<std::string> args = {interpreter, script, data, dir};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  log.debug("drawing plots: ", interpreter, " ", script, " ", data, " ", dir);
  pid_t child = 0;
  const int spawned = ::posix_spawnp(&child, interpreter.c_str(), nullptr, nullptr, argv.data(), environ);
  NS_CHECK(spawned == 0, "cannot run ", interpreter, " for the plots: ", std::strerror(spawned));
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    NS_CHECK(errno == EINTR, "waiting for ", script, ": ", std::strerror(errno));
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  NS_CHECK(code != 3, "--plots needs matplotlib, which ", interpreter,
           " cannot import (Debian: apt-get install python3-matplotlib; or set NEUROSCALE_PYTHON)");
  NS_CHECK(code == 0, script, " failed (exit ", code, ") drawing into '", dir, "'");
}

// Writes `text` to `path` atomically (temporary name, rename). A path that exists and is not
// a regular file (/dev/null, /dev/stdout) is refused: the rename would replace it.
void write_report_file(const std::string& path, const std::string& text, const char* option) {
  struct stat info {};
  NS_CHECK_AS(UsageError, ::stat(path.c_str(), &info) != 0 || S_ISREG(info.st_mode), option, " '", path,
              "' exists and is not a regular file (reports are written to a new file and renamed over it)");
  io::write_file_atomically(path, text);
}

// The plot data for the script, in DIR while it runs (removed afterwards).
class TemporaryFile {
 public:
  TemporaryFile(std::string path, const std::string& contents) : path_(std::move(path)) {
    io::write_file_atomically(path_, contents);
  }
  ~TemporaryFile() { ::unlink(path_.c_str()); }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

int run_report(Runtime& runtime, const std::vector<std::string>& args) {
  std::vector<std::string> paths;
  std::string output, table, plots;
  CommonOptions common;
  ArgParser parser("neuroscale report",
                   "Summarise runs into one CSV: per run its status (finished: reached train.max_steps),\n"
                   "last step, ranks, nodes, Slurm job and restarts, training time, mean throughput\n"
                   "(after the first log interval), each metric's final value, the best validation\n"
                   "losses, and the config keys whose values differ between the runs (a sweep's axes).\n"
                   "Also a summary table (markdown) and PNG plots: loss curves, throughput and scaling\n"
                   "efficiency against ranks, PER against label fraction, brain-tuning losses.");
  parser.positional_list("RUN_DIR", &paths, "a run directory, or a directory of runs (a sweep)");
  parser.option("--output", &output, "FILE", "write the CSV to FILE (atomically) instead of stdout; the table then goes to stdout");
  parser.option("--table", &table, "FILE", "write the summary table (markdown) to FILE (atomically); - for stdout");
  parser.option("--plots", &plots, "DIR",
                "draw PNG plots into DIR (created if needed) with matplotlib (scripts/report_plots.py); a plot "
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
    write_report_file(output, csv, "--output");
    log.info("report of ", runs.size(), " run(s) written to ", output);
  }

  // ---- table
  const std::string text = io::report_table(runs);
  if (table == "-" || (table.empty() && !output.empty())) {
    std::cout << text << std::flush;
  } else if (!table.empty()) {
    write_report_file(table, text, "--table");
    log.info("summary table written to ", table);
  }

  // ---- plots
  if (!plots.empty()) {
    const bool any_data = std::any_of(runs.begin(), runs.end(), [](const io::RunSummary& run) {
      return !run.records.empty() || !run.evaluation.empty();
    });
    NS_CHECK_AS(DataError, any_data, "nothing to plot: none of the runs has metrics.jsonl records or an evaluation.json");
    io::create_directories(plots);
    NS_CHECK_AS(DataError, ::access(plots.c_str(), W_OK) == 0, "cannot write plots to '", plots, "': ",
                std::strerror(errno));
    TemporaryFile data(plots + "/.report-data." + std::to_string(::getpid()) + ".json", io::plot_data_json(runs));
    draw_plots(data.path(), plots, log);
  }
  return 0;
}

}  // namespace neuroscale::jobs
