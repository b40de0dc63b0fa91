// Logging with a rank prefix. By default only rank 0 writes to the console (stderr); with
// `all_ranks` every rank does. Every rank may additionally write its own log file (the run
// directory's logs/rank-NNNNN.log), which receives all of that rank's lines at or above the
// level. A Logger is owned by the job and passed by reference; it is thread-safe.
#pragma once

#include <fstream>
#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>

#include "core/check.h"
#include "core/process_info.h"

namespace neuroscale {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// "debug" | "info" | "warn" | "error"; throws UsageError for anything else.
LogLevel parse_log_level(std::string_view text);
const char* to_string(LogLevel level);

struct LoggerOptions {
  LogLevel level = LogLevel::kInfo;  ///< lines below this level are dropped
  bool all_ranks = false;            ///< console output from every rank, not just rank 0
};

class Logger {
 public:
  // `console` must outlive the logger (normally std::cerr).
  Logger(ProcessInfo process, LoggerOptions options, std::ostream& console);

  // Also write every line to `path` (created, parent directory must exist; appended to).
  void open_file(const std::string& path);

  void log(LogLevel level, std::string_view message);
  template <class... Parts>
  void debug(const Parts&... parts) {
    emit(LogLevel::kDebug, parts...);
  }
  template <class... Parts>
  void info(const Parts&... parts) {
    emit(LogLevel::kInfo, parts...);
  }
  template <class... Parts>
  void warn(const Parts&... parts) {
    emit(LogLevel::kWarn, parts...);
  }
  template <class... Parts>
  void error(const Parts&... parts) {
    emit(LogLevel::kError, parts...);
  }

  bool console_enabled() const { return console_enabled_; }
  const ProcessInfo& process() const { return process_; }

 private:
  template <class... Parts>
  void emit(LogLevel level, const Parts&... parts) {
    if (level < options_.level || (!console_enabled_ && !file_.is_open())) return;
    log(level, detail::concat(parts...));
  }

  ProcessInfo process_;
  LoggerOptions options_;
  std::ostream& console_;
  bool console_enabled_;
  std::ofstream file_;
  std::mutex mutex_;
};

}  // namespace neuroscale
