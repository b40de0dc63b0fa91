// Progress of a long piece of work (generating, ingesting, decoding), shown by rank 0:
//  - on a terminal, a live line rewritten in place: "what [#####.....] 12/40 units  3.1/s  ETA 9
//  s",
//    replaced by one log line at the end;
//  - otherwise (Slurm logs, pipes), a plain log line at most every `interval_s` seconds and
//    at the end, so logs stay short.
// Every update is also a safe point for a pending SIGINT, SIGTERM or SIGUSR1 (core/interrupt.h):
// long work that reports progress stops there with InterruptedError, before writing its
// output (the commands that use it write their outputs at the end, atomically).
// Used from one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/log.h"

namespace neuroscale {

struct ProgressOptions {
  bool live = false;         ///< draw the live line on the console (a terminal)
  double interval_s = 30.0;  ///< seconds between plain lines
};

// Whether stderr is a terminal (the live line's destination).
bool stderr_is_terminal();

// "what [#####.....] 12/40 sessions  3.1/s  ETA 9 s" (bar of `width` cells).
std::string progress_line(const std::string& what, std::int64_t done, std::int64_t total,
                          const std::string& unit, double seconds, int width = 24);

class Progress {
 public:
  // `total` > 0 units of work named `unit` ("sessions").
  Progress(Logger& log, std::string what, std::int64_t total, std::string unit,
           ProgressOptions options);
  ~Progress();  // ends the live line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // `n` more units done. Throws InterruptedError ("<what> interrupted by SIGTERM; ...") when
  // a signal is pending.
  void advance(std::int64_t n = 1);
  // Sets the units done (monotonic); throws as advance() does.
  void update(std::int64_t done);

 private:
  Logger& log_;
  std::string what_, unit_;
  std::int64_t total_, done_ = 0;
  ProgressOptions options_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(),
                                        last_line_ = start_;
  bool drawn_ = false;
};

// Progress of work that reports "done of total" through a callback and learns its total only
// when it starts (the corpus writers and ingesters): the Progress is made at the first report,
// with a live line when stderr is a terminal and plain lines every 30 s otherwise.
class ReportedProgress {
 public:
  ReportedProgress(Logger& log, std::string what, std::string unit);
  ReportedProgress(const ReportedProgress&) = delete;
  ReportedProgress& operator=(const ReportedProgress&) = delete;

  // The callback (pass std::ref(*this)); throws as Progress::update does.
  void operator()(double done, double total);
  // Ends the live line; returns the seconds since construction.
  double finish();

 private:
  Logger& log_;
  std::string what_, unit_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::optional<Progress> progress_;
};

}  // namespace neuroscale
