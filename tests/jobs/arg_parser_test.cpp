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
  ASSERT_TRUE(parser.parse({"--config", "a.yaml", "--output=b.h5", "--force", "in.h5", "optim.lr=1e-3", "seed=2"}, out));
  EXPECT_EQ(p.config, "a.yaml");
  EXPECT_EQ(p.output, "b.h5");
  EXPECT_TRUE(p.force);
  EXPECT_EQ(p.file, "in.h5");
  EXPECT_EQ(p.overrides, (std::vector<std::string>{"optim.lr=1e-3", "seed=2"}));
}

TEST(ArgParser, UnknownOptionSuggestsNearest) {
  EXPECT_EQ(error_of({"--outptu", "x"}),
            "neuroscale test: unknown option '--outptu' (did you mean '--output'?) (see 'neuroscale test --help')");
}

TEST(ArgParser, MissingValuesAndRequiredOptionsAreErrors) {
  EXPECT_NE(error_of({"--output"}).find("option '--output' needs a value (FILE)"), std::string::npos);
  EXPECT_NE(error_of({"--config", "a"}).find("missing required option --output FILE"), std::string::npos);
  EXPECT_NE(error_of({"--output", "x", "--force=yes"}).find("option '--force' takes no value"), std::string::npos);
  EXPECT_NE(error_of({"--output", "x", "--output", "y"}).find("given twice"), std::string::npos);
  EXPECT_NE(error_of({"--output", "x", "in", "stray"}).find("unexpected argument 'stray'"), std::string::npos);
  EXPECT_NE(error_of({"--output", "x", "-q"}).find("unknown option '-q'"), std::string::npos);
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

}  // namespace
}  // namespace neuroscale::jobs
