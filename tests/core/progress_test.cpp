// Progress lines: the bar, rate and ETA; plain lines at most once per interval and at the end.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <sstream>

#include "core/interrupt.h"
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

// The callback form the corpus writers take: the total arrives with the first report, and the
// one line at the end counts in that total.
TEST(Progress, ReportedProgressStartsAtTheFirstReport) {
  std::ostringstream console;
  Logger log(ProcessInfo{}, LoggerOptions{}, console);
  ReportedProgress progress(log, "ingest", "sessions");
  const std::function<void(std::size_t, std::size_t)> report = std::ref(progress);
  report(0, 5);
  report(3, 5);
  EXPECT_EQ(console.str(), "") << "no line before the end (interval 30 s)";
  report(5, 5);
  EXPECT_GE(progress.finish(), 0.0);
  const std::string text = console.str();
  EXPECT_NE(text.find("INFO ingest [########################] 5/5 sessions"), std::string::npos)
      << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
}

// A signal recorded by the handlers stops work that reports progress at its next update, with
// the exit code and line the command would report (run in a child process: the pending
// signal is process-wide and cannot be cleared).
TEST(ProgressDeathTest, PendingSignalStopsTheWorkAtTheNextUpdate) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const auto work = [] {
    install_interrupt_handlers();
    std::ostringstream console;
    Logger log(ProcessInfo{}, LoggerOptions{}, console);
    Progress progress(log, "features of train", 10, "utterances", ProgressOptions{false, 1e9});
    progress.advance();  // no signal yet: goes on
    std::raise(SIGTERM);
    try {
      progress.advance();
    } catch (const InterruptedError& error) {
      std::fprintf(stderr, "%s\n", error.what());
      std::_Exit(static_cast<int>(error.exit_code()));
    }
    std::_Exit(0);
  };
  EXPECT_EXIT(work(), testing::ExitedWithCode(128 + SIGTERM),
              "features of train interrupted by SIGTERM; nothing was written to the output");
}

}  // namespace
}  // namespace neuroscale
