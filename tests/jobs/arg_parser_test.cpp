#include <gtest/gtest.h>

#include <sstream>

#include "core/check.h"
#include "jobs/cli/arg_parser.h"

namespace neuroscale::jobs {
namespace {

struct Parsed {
  std::string config, output, file;
  bool force = false;
  std::vector<std::string> overrides;
};

ArgParser make(Parsed& p) {
  ArgParser parser("neuroscale test", "A test command.");
  parser.option("--config", &p.config, "FILE", "config file");
  parser.option("--output", &p.output, "FILE", "output", true);
  parser.flag("--force", &p.force, "replace");
  parser.positional("INPUT", &p.file, "input", false);
  parser.overrides(&p.overrides);
  return parser;
}

std::string error_of(const std::vector<std::string>& args) {
  Parsed p;
  ArgParser parser = make(p);
  std::ostringstream out;
  try {
    parser.parse(args, out);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

TEST(ArgParser, ParsesOptionsFlagsPositionalsAndOverrides) {
  Parsed p;
  ArgParser parser = make(p);
  std::ostringstream out;
  ASSERT_TRUE(parser.parse(
      {"--config", "a.yaml", "--output=b.h5", "--force", "in.h5", "optim.lr=1e-3", "seed=2"}, out));
  EXPECT_EQ(p.config, "a.yaml");
  EXPECT_EQ(p.output, "b.h5");
  EXPECT_TRUE(p.force);
  EXPECT_EQ(p.file, "in.h5");
  EXPECT_EQ(p.overrides, (std::vector<std::string>{"optim.lr=1e-3", "seed=2"}));
}

TEST(ArgParser, OptionsAndPositionalsComeInAnyOrder) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"in.h5", "--output", "b.h5", "--force"},
                                             {"--output", "b.h5", "in.h5", "--force"},
                                             {"--force", "--output=b.h5", "in.h5"}}) {
    Parsed p;
    ArgParser parser = make(p);
    std::ostringstream out;
    ASSERT_TRUE(parser.parse(args, out));
    EXPECT_EQ(p.file, "in.h5");
    EXPECT_EQ(p.output, "b.h5");
    EXPECT_TRUE(p.force);
  }
}

TEST(ArgParser, DoubleDashEndsTheOptions) {
  Parsed p;
  ArgParser parser = make(p);
  std::ostringstream out;
  ASSERT_TRUE(parser.parse({"--output", "b.h5", "--", "-odd-name.h5", "seed=3"}, out));
  EXPECT_EQ(p.file, "-odd-name.h5");
  EXPECT_EQ(p.overrides, (std::vector<std::string>{"seed=3"}));
  EXPECT_NE(error_of({"--output", "b.h5", "-odd-name.h5"}).find("goes after '--'"),
            std::string::npos);
}

TEST(ArgParser, UnknownOptionSuggestsNearest) {
  EXPECT_EQ(error_of({"--outptu", "x"}),
            "neuroscale test: unknown option '--outptu' (did you mean '--output'?) (see "
            "'neuroscale test --help')");
}

TEST(ArgParser, MissingValuesAndRequiredOptionsAreErrors) {
  EXPECT_NE(error_of({"--output"}).find("option '--output' needs a value (FILE)"),
            std::string::npos);
  EXPECT_NE(error_of({"--config", "a"}).find("missing required option --output FILE"),
            std::string::npos);
  EXPECT_NE(error_of({"--output", "x", "--force=yes"}).find("option '--force' takes no value"),
            std::string::npos);
  EXPECT_NE(error_of({"--output", "x", "--output", "y"}).find("given twice"), std::string::npos);
  EXPECT_NE(error_of({"--output", "x", "in", "stray"}).find("unexpected argument 'stray'"),
            std::string::npos);
  EXPECT_NE(error_of({"--output", "x", "-q"}).find("unknown option '-q'"), std::string::npos);
}

TEST(ArgParser, NumericOptionsTakeWholeNumbersOrFiniteNumbersOnly) {
  std::int64_t count = 7;
  double scale = 0.5;
  auto parse = [&](const std::vector<std::string>& args) {
    ArgParser parser("neuroscale test", "A test command.");
    parser.option("--count", &count, "N", "how many");
    parser.option("--scale", &scale, "X", "how much");
    std::ostringstream out;
    parser.parse(args, out);
  };
  parse({"--count", "-3", "--scale=2.5e-1"});
  EXPECT_EQ(count, -3);
  EXPECT_DOUBLE_EQ(scale, 0.25);
  parse({});
  EXPECT_EQ(count, -3);  // untouched when absent
  for (const auto& bad : std::vector<std::vector<std::string>>{{"--count", "3.5"},
                                                               {"--count", "12abc"},
                                                               {"--count", "99999999999999999999"},
                                                               {"--scale", "nan"},
                                                               {"--scale", "inf"},
                                                               {"--scale", "1e999"},
                                                               {"--scale", "x"}}) {
    try {
      parse(bad);
      FAIL() << bad[1];
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("option '" + bad[0] + "' expects a number"),
                std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find("got '" + bad[1] + "'"), std::string::npos) << e.what();
    }
  }
}

TEST(ArgParser, HelpListsEveryOptionAndStopsParsing) {
  Parsed p;
  ArgParser parser = make(p);
  std::ostringstream out;
  EXPECT_FALSE(parser.parse({"--help", "--bogus"}, out));
  const std::string help = out.str();
  for (const char* text : {"usage: neuroscale test", "--config FILE", "--output FILE", "(required)",
                           "--force", "INPUT", "key.sub=value", "A test command."}) {
    EXPECT_NE(help.find(text), std::string::npos) << text;
  }
}

TEST(ArgParser, PositionalListTakesEveryRemainingArgumentAndNeedsOne) {
  std::vector<std::string> dirs;
  std::string output;
  ArgParser parser("neuroscale report", "Report.");
  parser.positional_list("RUN_DIR", &dirs, "runs");
  parser.option("--output", &output, "FILE", "csv");
  std::ostringstream out;
  ASSERT_TRUE(parser.parse({"a", "--output", "r.csv", "b", "c"}, out));
  EXPECT_EQ(dirs, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(output, "r.csv");
  EXPECT_NE(parser.help().find("usage: neuroscale report [--output FILE] RUN_DIR..."),
            std::string::npos)
      << parser.help();
  std::vector<std::string> none;
  ArgParser empty("neuroscale report", "Report.");
  empty.positional_list("RUN_DIR", &none, "runs");
  try {
    empty.parse({}, out);
    ADD_FAILURE() << "no RUN_DIR accepted";
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("missing argument RUN_DIR..."), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace neuroscale::jobs
