#include "core/log.h"

#include <chrono>
#include <ctime>
#include <ostream>

namespace neuroscale {
namespace {

// "2026-11-21 09:30:12.345" in local time.
std::string timestamp() {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t seconds = system_clock::to_time_t(now);
  auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm local{};
  localtime_r(&seconds, &local);
  char buffer[40];
  std::size_t n = std::strftime(buffer, sizeof(buffer), "%Y-%m-%d %H:%M:%S", &local);
  std::snprintf(buffer + n, sizeof(buffer) - n, ".%03d", static_cast<int>(millis));
  return buffer;
}

}  // namespace

LogLevel parse_log_level(std::string_view text) {
  if (text == "debug") return LogLevel::kDebug;
  if (text == "info") return LogLevel::kInfo;
  if (text == "warn") return LogLevel::kWarn;
  if (text == "error") return LogLevel::kError;
  NS_THROW(UsageError, "unknown log level '", text, "' (expected debug, info, warn or error)");
}

const char* to_string(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBUG";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarn:
      return "WARN";
    case LogLevel::kError:
      return "ERROR";
  }
  return "?";
}

Logger::Logger(ProcessInfo process, LoggerOptions options, std::ostream& console)
    : process_(std::move(process)),
      options_(options),
      console_(console),
      console_enabled_(options.all_ranks || process_.rank == 0) {}

void Logger::open_file(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  file_.open(path, std::ios::app);
  NS_CHECK_AS(Error, file_.is_open(), "cannot open log file '", path, "' for writing");
}

void Logger::log(LogLevel level, std::string_view message) {
  if (level < options_.level) return;
  std::string prefix = timestamp() + " [" + std::to_string(process_.rank) + "/" +
                       std::to_string(process_.world_size) + "] " + to_string(level) + " ";
  std::lock_guard<std::mutex> lock(mutex_);
  if (console_enabled_) console_ << prefix << message << '\n' << std::flush;
  if (file_.is_open()) file_ << prefix << message << '\n' << std::flush;
}

}  // namespace neuroscale
