#include "core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <utility>

#include "core/interrupt.h"
#include "core/text.h"

namespace neuroscale {

bool stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

std::string progress_line(const std::string& what, std::int64_t done, std::int64_t total,
                          const std::string& unit, double seconds, int width) {
  const double fraction =
      total > 0 ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total)) : 1.0;
  const int filled = static_cast<int>(fraction * width + 0.5);
  std::ostringstream out;
  out << what << " [" << std::string(static_cast<std::size_t>(filled), '#')
      << std::string(static_cast<std::size_t>(width - filled), '.') << "] " << done << "/" << total
      << " " << unit;
  if (seconds >= 0.5 && done > 0) {  // earlier rates are noise
    const double rate = static_cast<double>(done) / seconds;
    out.precision(rate < 10 ? 2 : 0);
    out << "  " << std::fixed << rate << "/s";
    if (done < total)
      out << "  ETA " << format_duration(static_cast<double>(total - done) / rate);
    else
      out << "  in " << format_duration(seconds);
  }
  return out.str();
}

Progress::Progress(Logger& log, std::string what, std::int64_t total, std::string unit,
                   ProgressOptions options)
    : log_(log),
      what_(std::move(what)),
      unit_(std::move(unit)),
      total_(std::max<std::int64_t>(total, 1)),
      options_(options) {
  options_.live = options_.live && log_.console_enabled();
}

Progress::~Progress() {
  if (drawn_) {  // stopped early (an error): keep what the line showed
    std::fputc('\n', stderr);
    std::fflush(stderr);
  }
}

void Progress::advance(std::int64_t n) { update(done_ + n); }

void Progress::update(std::int64_t done) {
  throw_if_interrupted(what_.c_str());
  done_ = std::max(done_, std::min(done, total_));
  const auto now = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(now - start_).count();
  const std::string line = progress_line(what_, done_, total_, unit_, seconds);
  const bool finished = done_ >= total_;
  if (options_.live && !finished) {
    std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
    std::fflush(stderr);
    drawn_ = true;
    return;  // the live line shows it
  }
  if (drawn_) {  // the end: the live line gives way to a log line
    std::fprintf(stderr, "\r\x1b[K");
    std::fflush(stderr);
    drawn_ = false;
  }
  if (finished || std::chrono::duration<double>(now - last_line_).count() >= options_.interval_s) {
    last_line_ = now;
    log_.info(line);
  }
}

ReportedProgress::ReportedProgress(Logger& log, std::string what, std::string unit)
    : log_(log), what_(std::move(what)), unit_(std::move(unit)) {}

void ReportedProgress::operator()(double done, double total) {
  if (!progress_) {
    progress_.emplace(log_, what_, static_cast<std::int64_t>(total), unit_,
                      ProgressOptions{stderr_is_terminal(), 30.0});
  }
  progress_->update(static_cast<std::int64_t>(done));
}

double ReportedProgress::finish() {
  progress_.reset();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

}  // namespace neuroscale
