#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/log.h"

namespace neuroscale {
namespace {

ProcessInfo rank(int r, int n) {
  ProcessInfo p;
  p.rank = r;
  p.world_size = n;
  p.host = "node07";
  return p;
}

TEST(Log, RankZeroOnlyByDefaultWithRankPrefix) {
  std::ostringstream out0, out1;
  Logger zero(rank(0, 4), {}, out0), one(rank(1, 4), {}, out1);
  zero.info("step ", 10, " loss ", 0.5);
  one.info("hidden");
  EXPECT_NE(out0.str().find("[0/4] INFO step 10 loss 0.5\n"), std::string::npos) << out0.str();
  EXPECT_EQ(out1.str(), "");
}

TEST(Log, AllRanksAndLevelFilter) {
  std::ostringstream out;
  LoggerOptions options;
  options.all_ranks = true;
  options.level = LogLevel::kWarn;
  Logger logger(rank(3, 4), options, out);
  logger.info("dropped");
  logger.warn("kept");
  EXPECT_EQ(out.str().find("dropped"), std::string::npos);
  EXPECT_NE(out.str().find("[3/4] WARN kept"), std::string::npos) << out.str();
}

TEST(Log, PerRankFileGetsLinesEvenWhenConsoleIsOff) {
  std::ostringstream console;
  const std::string path = testing::TempDir() + "rank-00001.log";
  std::remove(path.c_str());
  {
    Logger logger(rank(1, 2), {}, console);
    logger.open_file(path);
    logger.info("written to file");
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("[1/2] INFO written to file"), std::string::npos);
  EXPECT_EQ(console.str(), "");
}

TEST(Log, ParsesLevelsAndRejectsUnknown) {
  EXPECT_EQ(parse_log_level("debug"), LogLevel::kDebug);
  EXPECT_EQ(parse_log_level("error"), LogLevel::kError);
  EXPECT_THROW(parse_log_level("verbose"), UsageError);
}

}  // namespace
}  // namespace neuroscale
