#include <gtest/gtest.h>

#include "core/check.h"

namespace neuroscale {
namespace {

TEST(Check, ComparisonPrintsBothValuesAndContext) {
  const int trials = 3, expected = 4;
  try {
    NS_CHECK_EQ(trials, expected, "session 7");
    FAIL() << "NS_CHECK_EQ did not throw";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "session 7 (expected trials == expected, got 3 vs 4)");
    EXPECT_NE(e.where().find("check_test.cpp:"), std::string::npos) << e.where();
    EXPECT_EQ(e.exit_code(), ExitCode::kFailure);
  }
}

TEST(Check, TypedCheckThrowsThatTypeWithExitCode) {
  try {
    NS_CHECK_AS(DataError, 1 + 1 == 3, "trial ", 12, " of 'x.h5' is empty");
    FAIL() << "NS_CHECK_AS did not throw";
  } catch (const DataError& e) {
    EXPECT_STREQ(e.what(), "trial 12 of 'x.h5' is empty");
    EXPECT_EQ(e.exit_code(), ExitCode::kData);
    EXPECT_STREQ(e.kind(), "data error");
  }
}

TEST(Check, PassingChecksDoNotThrowAndEvaluateOnce) {
  int calls = 0;
  auto next = [&] { return ++calls; };
  EXPECT_NO_THROW(NS_CHECK_LT(next(), 5, "never"));
  EXPECT_EQ(calls, 1);
  EXPECT_NO_THROW(NS_CHECK(true, "never"));
}

TEST(Check, ExitCodesDistinguishErrorKinds) {
  EXPECT_EQ(ConfigError("x").exit_code(), ExitCode::kUsage);
  EXPECT_EQ(UsageError("x").exit_code(), ExitCode::kUsage);
  EXPECT_EQ(CommError("x").exit_code(), ExitCode::kComm);
  EXPECT_EQ(CheckpointError("x").exit_code(), ExitCode::kCheckpoint);
  EXPECT_EQ(InternalError("x").exit_code(), ExitCode::kInternal);
  EXPECT_THROW(NS_ASSERT(false, "bug"), InternalError);
}

}  // namespace
}  // namespace neuroscale
