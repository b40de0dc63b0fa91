// The tracer: complete events per thread with names, microsecond times on one axis, bounded
// memory, and nothing at all when tracing is off. (Loading real traces and checking the
// spans of a 2-rank run is the mpi_trace_ranks test.)
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "core/json.h"
#include "core/trace.h"

namespace neuroscale {
namespace {

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

TEST(Tracer, RecordsSpansPerThreadWithNamesAndArgs) {
  TracerOptions options;
  options.pid = 3;
  Tracer tracer(options);
  tracer.name_thread("training");
  {
    TraceSpan span(&tracer, "forward", "compute");
    span.set_args("\"step\": 1");
  }
  std::thread other([&] {
    tracer.name_thread("communication");
    const auto start = Tracer::Clock::now();
    tracer.record("allreduce bucket 0", "comm", start, start + std::chrono::microseconds(1500),
                  "\"bucket\": 0");
  });
  other.join();
  EXPECT_EQ(tracer.size(), 2u);
  const std::string json = tracer.to_json();
  EXPECT_EQ(json.rfind("{\"traceEvents\": [", 0), 0u) << json;
  EXPECT_NE(json.find("\"args\": {\"name\": \"rank 3\"}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"tid\": 1, \"args\": {\"name\": \"training\"}"), std::string::npos) << json;
  EXPECT_NE(json.find("\"tid\": 2, \"args\": {\"name\": \"communication\"}"), std::string::npos)
      << json;
  EXPECT_NE(json.find("{\"name\": \"forward\", \"cat\": \"compute\", \"ph\": \"X\", \"ts\": "),
            std::string::npos);
  EXPECT_NE(json.find("\"dur\": 1500.000, \"pid\": 3, \"tid\": 2, \"args\": {\"bucket\": 0}}"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"args\": {\"step\": 1}"), std::string::npos) << json;
  EXPECT_EQ(count(json, "\"ph\": \"X\""), 2u);
  EXPECT_NE(json.find("\"dropped_events\": 0"), std::string::npos);
}

TEST(Tracer, TimesAreMicrosecondsSinceTheEpochAndMonotonic) {
  Tracer tracer;
  const auto t0 = Tracer::Clock::now();
  tracer.record("a", "x", t0, t0 + std::chrono::milliseconds(2));
  tracer.record("b", "x", t0 + std::chrono::milliseconds(5), t0 + std::chrono::milliseconds(6));
  const std::string json = tracer.to_json();
  const auto ts = [&](const std::string& name) {
    const auto at = json.find("\"name\": \"" + name + "\"");
    const auto value = json.find("\"ts\": ", at) + 6;
    return std::stod(json.substr(value, json.find(',', value) - value));
  };
  const double now_us =
      std::chrono::duration<double, std::micro>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  EXPECT_NEAR(ts("a"), now_us, 60e6) << "the wall clock's axis";
  EXPECT_NEAR(ts("b") - ts("a"), 5000.0, 1.0) << "the monotonic clock's spacing";
  EXPECT_NE(json.find("\"dur\": 2000.000"), std::string::npos) << json;
}

TEST(Tracer, KeepsAtMostMaxEventsAndCountsTheRest) {
  TracerOptions options;
  options.max_events = 3;
  Tracer tracer(options);
  for (int i = 0; i < 5; ++i) TraceSpan span(&tracer, "step", "step");
  EXPECT_EQ(tracer.size(), 3u);
  EXPECT_EQ(tracer.dropped(), 2u);
  EXPECT_NE(tracer.to_json().find("\"dropped_events\": 2"), std::string::npos);
}

TEST(Tracer, QuotesJsonStrings) {
  EXPECT_EQ(json_quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
  EXPECT_EQ(json_quote(std::string("\x01", 1)), "\"\\u0001\"");
}

}  // namespace
}  // namespace neuroscale
