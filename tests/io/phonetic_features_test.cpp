// The synthetic fMRI generator's phonetic features: hand-computed frame fractions, a table
// that covers every phoneme espeak-ng speaks in the generator's stories and voices, and
// time courses that follow the audio espeak-ng makes.
#include <gtest/gtest.h>

#include <set>

#include "io/synth/auditory_features.h"
#include "io/synth/espeak_engine.h"
#include "io/synth/phonetic_features.h"
#include "io/synth/synth_fmri.h"

namespace neuroscale::io {
namespace {

int column(const std::string& name) {
  const auto& names = phonetic_feature_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (name == names[i]) return static_cast<int>(i);
  ADD_FAILURE() << "no feature " << name;
  return 0;
}

double at(const at::Tensor& x, std::int64_t frame, const std::string& name) {
  return x[frame][column(name)].item<double>();
}

TEST(PhoneticFeatures, TableEntriesAreTheArticulation) {
  bool known = false;
  const auto b = phoneme_features("b", &known);
  EXPECT_TRUE(known);
  for (const char* on : {"stop", "labial", "voiced"}) EXPECT_EQ(b[column(on)], 1) << on;
  for (const char* off : {"vowel", "coronal", "silence", "nasal"}) EXPECT_EQ(b[column(off)], 0);
  const auto u = phoneme_features("u:");
  for (const char* on : {"vowel", "voiced", "high", "back", "rounded"}) EXPECT_EQ(u[column(on)], 1);
  EXPECT_EQ(u[column("front")], 0);
  const auto pause = phoneme_features("_:", &known);
  EXPECT_TRUE(known);
  EXPECT_EQ(pause[column("silence")], 1);
  const auto unknown = phoneme_features("Q!", &known);
  EXPECT_FALSE(known);
  for (double f : unknown) EXPECT_EQ(f, 0);
}

// 16 kHz, hop 1600: 's' [0, 800), 'a' [800, 3200), 'n' [3200, 4000), a pause [4000, 4800),
// 5000 samples -> ceil(5000 / 1600) = 4 frames, frame k's window [1600 k - 800, 1600 k + 800).
TEST(PhoneticFeatures, FramesHoldTheFractionOfTheirWindowEachFeatureOccupies) {
  const std::vector<PhonemeSegment> segments = {
      {"s", 0, 800, true}, {"a", 800, 3200, false}, {"n", 3200, 4000, false}, {"_", 4000, 4800}};
  const at::Tensor x = phonetic_features(segments, 5000, 16000);
  ASSERT_EQ(x.sizes(), (std::vector<std::int64_t>{4, kPhoneticFeatures}));
  // Frame 0: half before the audio (silence), half 's'.
  EXPECT_DOUBLE_EQ(at(x, 0, "silence"), 0.5);
  EXPECT_DOUBLE_EQ(at(x, 0, "fricative"), 0.5);
  EXPECT_DOUBLE_EQ(at(x, 0, "coronal"), 0.5);
  EXPECT_DOUBLE_EQ(at(x, 0, "voiced"), 0.0);
  // Frame 1: all 'a'.
  EXPECT_DOUBLE_EQ(at(x, 1, "vowel"), 1.0);
  EXPECT_DOUBLE_EQ(at(x, 1, "low"), 1.0);
  EXPECT_DOUBLE_EQ(at(x, 1, "silence"), 0.0);
  // Frame 2 [2400, 4000): half 'a', half 'n'; both voiced.
  EXPECT_DOUBLE_EQ(at(x, 2, "vowel"), 0.5);
  EXPECT_DOUBLE_EQ(at(x, 2, "nasal"), 0.5);
  EXPECT_DOUBLE_EQ(at(x, 2, "coronal"), 0.5);
  EXPECT_DOUBLE_EQ(at(x, 2, "voiced"), 1.0);
  // Frame 3 [4000, 5600): the pause, then no segment: silence.
  EXPECT_DOUBLE_EQ(at(x, 3, "silence"), 1.0);
  EXPECT_DOUBLE_EQ(x[3].sum().item<double>(), 1.0);
  // As many frames as the auditory features of the same audio.
  EXPECT_EQ(auditory_features(std::vector<float>(5000, 0.1f), 16000, 4).size(0), 4);
}

TEST(PhoneticFeatures, TheTableCoversEveryPhonemeOfTheGeneratorsStories) {
  const EspeakEngine engine;
  const SynthFmriOptions options;
  const std::vector<SynthStoryPlan> plans = plan_synth_fmri_stories(options);
  std::set<std::string> unknown, seen;
  for (const std::string& voice : options.voices) {
    const std::string text = plans[0].text.substr(0, 400) + ".";
    for (const PhonemeSegment& p : engine.speak(text, {voice, 160, 50, 50}, 16000).phonemes) {
      bool known = false;
      phoneme_features(p.phoneme, &known);
      (known ? seen : unknown).insert(p.phoneme);
    }
  }
  EXPECT_TRUE(unknown.empty()) << "not in the table: " << *unknown.begin();
  EXPECT_GT(seen.size(), 30u);  // a story's worth of English phonemes
}

// The phonetic time courses follow the sound: silent frames are quiet, voiced frames loud.
TEST(PhoneticFeatures, FollowTheAudioEspeakNgMakes) {
  const EspeakEngine engine;
  const SpokenText spoken = engine.speak(
      "The old man walked slowly across the river. Then, after a long night, he saw a bird.",
      {"en-us", 150, 50, 50}, 16000);
  const at::Tensor x =
      phonetic_features(spoken.phonemes, static_cast<std::int64_t>(spoken.samples.size()), 16000);
  const at::Tensor energy = auditory_features(spoken.samples, 16000, 8).narrow(1, 0, 8).mean(1);
  ASSERT_EQ(x.size(0), energy.size(0));
  const at::Tensor silent = x.select(1, column("silence")) > 0.9;
  const at::Tensor voiced = x.select(1, column("voiced")) > 0.9;
  ASSERT_GT(silent.sum().item<std::int64_t>(), 2);
  ASSERT_GT(voiced.sum().item<std::int64_t>(), 10);
  // Log band energies: voiced frames more than 2 (e^2 ~ 7x) above silent ones.
  EXPECT_GT(
      energy.index({voiced}).mean().item<double>() - energy.index({silent}).mean().item<double>(),
      2.0);
  // Each phoneme has one manner (or silence), '@L' two (vowel and liquid): a frame's
  // manners add up to its window.
  for (const PhonemeSegment& p : spoken.phonemes) {
    const auto f = phoneme_features(p.phoneme);
    double manners = 0;
    for (const char* m :
         {"silence", "vowel", "stop", "fricative", "affricate", "nasal", "liquid", "glide"})
      manners += f[column(m)];
    EXPECT_EQ(manners, p.phoneme == "@L" ? 2 : 1) << p.phoneme;
  }
}

}  // namespace
}  // namespace neuroscale::io
