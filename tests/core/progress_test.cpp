// Progress lines: the bar, rate and ETA; plain lines at most once per interval and at the end.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "core/process_info.h"
#include "core/progress.h"

namespace neuroscale {
namespace {

TEST(Progress, LineShowsBarCountRateAndEta) {
  EXPECT_EQ(progress_line("synth", 0, 4, "sessions", 0.0, 8), "synth [........] 0/4 sessions");
  EXPECT_EQ(progress_line("x", 2, 4, "steps", 1.0, 10),
            "x [#####.....] 2/4 steps  2.00/s  ETA 1.0 s");
  EXPECT_EQ(progress_line("x", 40, 40, "steps", 2.0, 4), "x [####] 40/40 steps  20/s  in 2.0 s");
}

TEST(Progress, PlainLinesOnlyAtTheIntervalAndAtTheEnd) {
  std::ostringstream console;
  Logger log(ProcessInfo{}, LoggerOptions{}, console);
  {
    Progress progress(log, "decoding", 3, "steps", ProgressOptions{false, 1e9});
    progress.advance();
    progress.advance();
    EXPECT_EQ(console.str(), "") << "no line before the interval";
    progress.advance(5);  // clamped to the total
  }
  const std::string text = console.str();
  EXPECT_NE(text.find("INFO decoding [########################] 3/3 steps"), std::string::npos)
      << text;
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "exactly one line: " << text;
  std::ostringstream every;
  Logger log2(ProcessInfo{}, LoggerOptions{}, every);
  Progress progress(log2, "x", 2, "steps", ProgressOptions{false, 0.0});
  progress.advance();
  progress.advance();
  const std::string lines = every.str();
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 2) << lines;
}

}  // namespace
}  // namespace neuroscale
