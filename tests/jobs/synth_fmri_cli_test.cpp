// End-to-end tests of `neuroscale synth --kind fmri`: the same config gives the same file
// content from two fresh processes (the ground truth included), and a voice espeak-ng does
// not have is refused before anything is written.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "io/fmri/fmri_reader.h"
#include "tests/jobs/cli_run.h"

namespace {

using neuroscale::cli_test::Result;
using neuroscale::cli_test::run;

const std::string kTiny = std::string(NEUROSCALE_SOURCE_DIR) + "/configs/synth/fmri-tiny.yaml";

std::string temp(const std::string& name) {
  return testing::TempDir() + "neuroscale_fmri_cli_" + std::to_string(::getpid()) + "_" + name;
}

TEST(SynthFmriCli, TheSameConfigGivesTheSameCorpus) {
  const std::string a = temp("a.h5"), b = temp("b.h5");
  for (const std::string& path : {a, b}) {
    Result synth = run("synth --kind fmri --config " + kTiny + " --output " + path + " --force");
    ASSERT_EQ(synth.code, 0) << synth.err;
  }
  neuroscale::io::FmriReader ra(a), rb(b);
  ASSERT_EQ(ra.index().stories.size(), 6u);
  for (const auto& story : ra.index().stories) {
    EXPECT_TRUE(at::equal(ra.audio(story.name), rb.audio(story.name))) << story.name;
    const std::string features = "/ground_truth/stories/" + story.name + "/features";
    EXPECT_TRUE(at::equal(ra.dataset(features), rb.dataset(features))) << story.name;
    for (const auto& p : ra.index().participants) {
      EXPECT_TRUE(at::equal(ra.responses(p.name, story.name), rb.responses(p.name, story.name)))
          << p.name << " " << story.name;
    }
  }
  EXPECT_TRUE(at::equal(ra.repeats("P04", "story01"), rb.repeats("P04", "story01")));
  std::remove(a.c_str());
  std::remove(b.c_str());
}

TEST(SynthFmriCli, AnUnknownVoiceIsRefusedBeforeWriting) {
  const std::string out = temp("refused.h5");
  std::remove(out.c_str());
  Result refused = run("synth --kind fmri --config " + kTiny + " --output " + out +
                       " 'voices=[en-us, xx-nosuchvoice]'");
  EXPECT_NE(refused.code, 0);
  EXPECT_NE(refused.err.find("'voices'"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("xx-nosuchvoice"), std::string::npos) << refused.err;
  EXPECT_NE(::access(out.c_str(), F_OK), 0) << "a refused run wrote " << out;
}

}  // namespace
