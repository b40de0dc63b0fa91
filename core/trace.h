// A timeline of one process's work in the Chrome trace event format, for chrome://tracing
// and Perfetto (ui.perfetto.dev): complete events ("ph": "X") with a start and a duration in
// microseconds, one track per thread, the process named "rank N" and each thread by its
// name ("M" metadata events). Format: the "Trace Event Format" document of the Chromium
// project (JSON object form, {"traceEvents": [...]}).
//
// Time: a monotonic clock (steady_clock), shown as microseconds since the Unix epoch: the
// wall clock is read once when the tracer is made and the monotonic time since then is added,
// so the ranks of one job share a time axis (exactly on one host, to the hosts' clock
// agreement across hosts) and no clock step bends one rank's timeline.
//
// Threading: any thread records (one mutex around the event buffer); a thread gets its tid
// at its first event or name_thread(). Memory is bounded: after `max_events` further events
// are counted as dropped and the count is written into the trace.
//
// Off means no tracer: callers hold a `Tracer*` that is null when tracing is off, and
// TraceSpan does nothing but a null check then.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace neuroscale {

struct TracerOptions {
  int pid = 0;                         ///< the process in the trace: the rank
  std::size_t max_events = 2'000'000;  ///< events kept (~100 bytes each); later ones are dropped
};

class Tracer {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Tracer(TracerOptions options = {});
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  // Names the calling thread's track ("training", "communication").
  void name_thread(const std::string& name);
  // A complete event on the calling thread from `start` to `end`. `name` and `category`
  // are copied. `args` are the members of a JSON object without the braces
  // ("\"bucket\": 3"), or empty.
  void record(const std::string& name, const char* category, Clock::time_point start,
              Clock::time_point end, std::string args = {});

  std::size_t size() const;     ///< events kept
  std::size_t dropped() const;  ///< events over max_events

  // The whole trace: {"traceEvents": [metadata..., events in recording order...],
  // "displayTimeUnit": "ms", "otherData": {...}}.
  std::string to_json() const;

 private:
  struct Event {
    std::string name;
    const char* category;
    std::int64_t start_ns;  // since origin_
    std::int64_t duration_ns;
    int tid;
    std::string args;
  };
  int tid_locked();  // the calling thread's tid; mutex_ held

  TracerOptions options_;
  Clock::time_point origin_;
  std::int64_t origin_epoch_ns_;  // the wall clock at origin_
  mutable std::mutex mutex_;
  std::vector<Event> events_;
  std::map<std::thread::id, int> tids_;
  std::map<int, std::string> thread_names_;
  std::size_t dropped_ = 0;
};

// A span on the calling thread from construction to end() or destruction; nothing at all
// when `tracer` is null (tracing off).
class TraceSpan {
 public:
  TraceSpan(Tracer* tracer, const char* name, const char* category)
      : tracer_(tracer), name_(name), category_(category) {
    if (tracer_) start_ = Tracer::Clock::now();
  }
  ~TraceSpan() { end(); }
  TraceSpan(const TraceSpan&) = delete;
  TraceSpan& operator=(const TraceSpan&) = delete;

  // Adds JSON members to the span's args ("\"step\": 3"); only call when tracing.
  void set_args(std::string args) { args_ = std::move(args); }
  // Ends the span now (idempotent).
  void end() {
    if (!tracer_) return;
    tracer_->record(name_, category_, start_, Tracer::Clock::now(), std::move(args_));
    tracer_ = nullptr;
  }

 private:
  Tracer* tracer_;
  const char* name_;
  const char* category_;
  Tracer::Clock::time_point start_{};
  std::string args_;
};

}  // namespace neuroscale
