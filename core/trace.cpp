#include "core/trace.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "core/json.h"

namespace neuroscale {
namespace {

// Nanoseconds as microseconds with three decimals ("1712345678901234.567"): exact, where a
// double would round epoch-sized microsecond values to 0.25 us.
void put_microseconds(std::ostringstream& out, std::int64_t ns) {
  char text[40];
  std::snprintf(text, sizeof(text), "%lld.%03lld", static_cast<long long>(ns / 1000),
                static_cast<long long>(ns % 1000));
  out << text;
}

}  // namespace

Tracer::Tracer(TracerOptions options)
    : options_(options),
      origin_(Clock::now()),
      origin_epoch_ns_(std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count()) {}

int Tracer::tid_locked() {
  const auto id = std::this_thread::get_id();
  const auto found = tids_.find(id);
  if (found != tids_.end()) return found->second;
  const int tid = static_cast<int>(tids_.size()) + 1;
  tids_.emplace(id, tid);
  return tid;
}

void Tracer::name_thread(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  thread_names_[tid_locked()] = name;
}

void Tracer::record(const std::string& name, const char* category, Clock::time_point start,
                    Clock::time_point end, std::string args) {
  const auto ns = [this](Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t - origin_).count();
  };
  std::lock_guard<std::mutex> lock(mutex_);
  if (events_.size() >= options_.max_events) {
    ++dropped_;
    return;
  }
  const std::int64_t start_ns = ns(start);
  events_.push_back({name, category, start_ns, std::max<std::int64_t>(0, ns(end) - start_ns),
                     tid_locked(), std::move(args)});
}

std::size_t Tracer::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return events_.size();
}

std::size_t Tracer::dropped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dropped_;
}

std::string Tracer::to_json() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::ostringstream out;
  const std::string pid = std::to_string(options_.pid);
  out << "{\"traceEvents\": [\n";
  out << "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": " << pid
      << ", \"tid\": 0, \"args\": {\"name\": " << json_quote("rank " + pid) << "}},\n";
  out << "{\"name\": \"process_sort_index\", \"ph\": \"M\", \"pid\": " << pid
      << ", \"tid\": 0, \"args\": {\"sort_index\": " << pid << "}}";
  for (const auto& [tid, name] : thread_names_) {
    out << ",\n{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": " << pid << ", \"tid\": " << tid
        << ", \"args\": {\"name\": " << json_quote(name) << "}}";
    out << ",\n{\"name\": \"thread_sort_index\", \"ph\": \"M\", \"pid\": " << pid
        << ", \"tid\": " << tid << ", \"args\": {\"sort_index\": " << tid << "}}";
  }
  for (const auto& event : events_) {
    out << ",\n{\"name\": " << json_quote(event.name) << ", \"cat\": " << json_quote(event.category)
        << ", \"ph\": \"X\", \"ts\": ";
    put_microseconds(out, origin_epoch_ns_ + event.start_ns);
    out << ", \"dur\": ";
    put_microseconds(out, event.duration_ns);
    out << ", \"pid\": " << pid << ", \"tid\": " << event.tid << ", \"args\": {" << event.args
        << "}}";
  }
  out << "\n],\n\"displayTimeUnit\": \"ms\",\n\"otherData\": {\"clock\": "
         "\"steady clock since the tracer started, offset to the Unix epoch then\", \"events\": "
      << events_.size() << ", \"dropped_events\": " << dropped_ << "}}\n";
  return out.str();
}

}  // namespace neuroscale
