#include "io/run/report_plots.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/check.h"
#include "io/fs/files.h"
#include "io/run/plot_data.h"

extern char** environ;

namespace neuroscale::io {
namespace {

// The plotting script: $NEUROSCALE_REPORT_PLOTS, else <bin>/../share/neuroscale/report_plots.py
// (the copy CMake puts in the build tree), else <bin>/../../scripts/report_plots.py (a build
// directory inside the source tree). Throws naming the places looked at.
std::string plot_script() {
  if (const char* path = std::getenv("NEUROSCALE_REPORT_PLOTS")) {
    NS_CHECK_AS(UsageError, is_regular_file(path), "NEUROSCALE_REPORT_PLOTS='", path,
                "' is not a file");
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
    if (is_regular_file(path)) return path;
  }
  NS_THROW(UsageError, "cannot find report_plots.py (looked for ", candidates[0], " and ",
           candidates[1], "); set NEUROSCALE_REPORT_PLOTS to its path");
}

// The Python that draws: $NEUROSCALE_PYTHON, else Debian's /usr/bin/python3 (which has
// python3-matplotlib), else python3 on PATH.
std::string python() {
  if (const char* path = std::getenv("NEUROSCALE_PYTHON")) return path;
  return is_regular_file("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
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
  const int spawned =
      ::posix_spawnp(&child, interpreter.c_str(), nullptr, nullptr, argv.data(), environ);
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

// The plot data for the script, in DIR while it runs (removed afterwards).
class TemporaryFile {
 public:
  TemporaryFile(std::string path, const std::string& contents) : path_(std::move(path)) {
    write_file_atomically(path_, contents);
  }
  ~TemporaryFile() { ::unlink(path_.c_str()); }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

void draw_report_plots(const std::vector<RunSummary>& runs, const std::string& dir, Logger& log) {
  const bool any_data = std::any_of(runs.begin(), runs.end(), [](const RunSummary& run) {
    return !run.records.empty() || !run.evaluation.empty();
  });
  NS_CHECK_AS(DataError, any_data,
              "nothing to plot: none of the runs has metrics.jsonl records or an evaluation.json");
  create_directories(dir);
  NS_CHECK_AS(DataError, ::access(dir.c_str(), W_OK) == 0, "cannot write plots to '", dir,
              "': ", std::strerror(errno));
  TemporaryFile data(dir + "/.report-data." + std::to_string(::getpid()) + ".json",
                     plot_data_json(runs));
  draw_plots(data.path(), dir, log);
}

}  // namespace neuroscale::io
