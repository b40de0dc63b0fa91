// End-to-end tests of `neuroscale synth --kind speech`: its help, a corpus that is the same
// file content for the same config, the summary it prints, and refusals (an unknown voice, a
// range whose ends are swapped, an existing output) that write nothing and damage nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "io/speech/speech_reader.h"
#include "tests/jobs/cli_run.h"

namespace {

using neuroscale::cli_test::Result;
using neuroscale::cli_test::run;
using neuroscale::cli_test::slurp;

const std::string kTiny = std::string(NEUROSCALE_SOURCE_DIR) + "/configs/synth/speech-tiny.yaml";

std::string temp(const std::string& name) {
  return testing::TempDir() + "neuroscale_speech_cli_" + std::to_string(::getpid()) + "_" + name;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(SynthSpeechCli, HelpDescribesTheSpeechKind) {
  Result help = run("synth --help");
  EXPECT_EQ(help.code, 0) << help.err;
  for (const char* part : {"--kind speech", "docs/speech-format.md", "configs/synth/speech-"}) {
    EXPECT_TRUE(contains(help.out, part)) << part << "\n" << help.out;
  }
}

TEST(SynthSpeechCli, TheBuiltInDefaultsAreSpeechTiny) {
  Result built_in = run("synth --kind speech --dry-run");
  ASSERT_EQ(built_in.code, 0) << built_in.err;
  Result tiny = run("synth --kind speech --dry-run --config " + kTiny);
  ASSERT_EQ(tiny.code, 0) << tiny.err;
  EXPECT_TRUE(contains(built_in.out, "voices:")) << built_in.out;
  EXPECT_EQ(built_in.out, tiny.out);
}

TEST(SynthSpeechCli, TheSameConfigGivesTheSameCorpus) {
  const std::string a = temp("a.h5"), b = temp("b.h5");
  Result first =
      run("synth --kind speech --config " + kTiny + " --output " + a + " --force hours=0.01");
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_TRUE(contains(first.out, "speech corpus '" + a + "'")) << first.out;
  EXPECT_TRUE(contains(first.out, "utterances, 0.010 h at 16000 Hz")) << first.out;
  Result second =
      run("synth --kind speech --config " + kTiny + " --output " + b + " --force hours=0.01");
  ASSERT_EQ(second.code, 0) << second.err;
  const neuroscale::io::SpeechReader ra(a), rb(b);
  const auto& ia = ra.index();
  const auto& ib = rb.index();
  ASSERT_EQ(ia.utterances.size(), ib.utterances.size());
  EXPECT_GE(ia.hours(), 0.01);
  EXPECT_EQ(ia.inventory, ib.inventory);
  for (std::size_t i = 0; i < ia.utterances.size(); ++i) {
    const auto &ua = ia.utterances[i], &ub = ib.utterances[i];
    EXPECT_EQ(ua.text, ub.text);
    EXPECT_EQ(ua.voice, ub.voice);
    EXPECT_EQ(ua.samples, ub.samples) << ua.text;
    ASSERT_EQ(ua.phonemes.size(), ub.phonemes.size()) << ua.text;
    for (std::size_t k = 0; k < ua.phonemes.size(); ++k) {
      EXPECT_EQ(ua.phonemes[k].id, ub.phonemes[k].id);
      EXPECT_EQ(ua.phonemes[k].start, ub.phonemes[k].start);
    }
    EXPECT_EQ(ra.audio(i), rb.audio(i)) << ua.text;
  }
  // Another seed is another corpus.
  Result other = run("synth --kind speech --config " + kTiny + " --output " + b +
                     " --force hours=0.01 seed=7");
  ASSERT_EQ(other.code, 0) << other.err;
  EXPECT_NE(neuroscale::io::SpeechReader(b).index().utterances[0].text, ia.utterances[0].text);
  std::remove(a.c_str());
  std::remove(b.c_str());
}

TEST(SynthSpeechCli, RefusalsWriteNothingAndKeepWhatExists) {
  const std::string output = temp("refused.h5");
  std::remove(output.c_str());
  Result voice =
      run("synth --kind speech --output " + output + " 'voices=[en-us, xx-nosuchvoice]'");
  EXPECT_EQ(voice.code, 2) << voice.err;
  EXPECT_TRUE(contains(voice.err, "'voices'")) << voice.err;
  EXPECT_TRUE(contains(voice.err, "xx-nosuchvoice")) << voice.err;
  Result variant =
      run("synth --kind speech --output " + output + " 'voices=[en-us+nosuchvariant]'");
  EXPECT_EQ(variant.code, 2) << variant.err;
  EXPECT_TRUE(contains(variant.err, "no voice variant 'nosuchvariant'")) << variant.err;
  Result swapped = run("synth --kind speech --output " + output + " min_wpm=200 max_wpm=150");
  EXPECT_EQ(swapped.code, 2) << swapped.err;
  EXPECT_TRUE(contains(swapped.err, "'min_wpm' (200) exceeds 'max_wpm' (150)")) << swapped.err;
  Result words = run("synth --kind speech --output " + output + " word_list=" + output + ".none");
  EXPECT_EQ(words.code, 2) << words.err;
  EXPECT_TRUE(contains(words.err, "'word_list'")) << words.err;
  EXPECT_EQ(std::fopen(output.c_str(), "r"), nullptr);

  Result made = run("synth --kind speech --output " + output + " hours=0.002");
  ASSERT_EQ(made.code, 0) << made.err;
  const std::string before = slurp(output);
  Result again = run("synth --kind speech --output " + output + " hours=0.002 seed=9");
  EXPECT_EQ(again.code, 3) << again.err;
  EXPECT_TRUE(contains(again.err, "already exists (pass --force to replace it)")) << again.err;
  EXPECT_EQ(slurp(output), before);
  Result dry = run("synth --kind speech --dry-run hours=2");
  EXPECT_EQ(dry.code, 0) << dry.err;
  EXPECT_TRUE(contains(dry.out, "hours: 2")) << dry.out;
  std::remove(output.c_str());
}

}  // namespace
