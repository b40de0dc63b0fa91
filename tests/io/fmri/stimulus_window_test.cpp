#include <gtest/gtest.h>

#include "core/error.h"
#include "io/fmri/stimulus_window.h"
#include "io/ingest/lebel_source.h"

namespace neuroscale::io {
namespace {

FmriStory story_with_times(std::vector<double> times) {
  FmriStory story;
  story.name = "s";
  story.tr_times = std::move(times);
  return story;
}

TEST(FmriStimulusWindow, EndSampleTruncatesLikeTheReference) {
  // LeBel rows: tr_times = 11, 13, ... -> t = tr_times + 1 = 12, 14, ... -> 16000 * int(t).
  const FmriStory lebel = story_with_times(lebel_tr_times(30));
  EXPECT_EQ(stimulus_end_sample(lebel, 0, 2.0, 16000), 16000 * 12);
  EXPECT_EQ(stimulus_end_sample(lebel, 3, 2.0, 16000), 16000 * 18);
  // Non-integer times truncate (int() in Python): 4.9 + 1 = 5.9 -> 5 s; 0.2 + 1 -> 1 s.
  const FmriStory odd = story_with_times({0.2, 4.9, 7.0045});
  EXPECT_EQ(stimulus_end_sample(odd, 0, 2.0, 16000), 16000);
  EXPECT_EQ(stimulus_end_sample(odd, 1, 2.0, 16000), 5 * 16000);
  EXPECT_EQ(stimulus_end_sample(odd, 2, 2.0, 16000), 8 * 16000);
  EXPECT_THROW(stimulus_end_sample(odd, 3, 2.0, 16000), DataError);
  EXPECT_EQ(window_samples(kStimulusWindowS, 16000), 160000);
}

TEST(FmriStimulusWindow, WindowsAreExactAndZeroPadded) {
  const at::Tensor audio = at::arange(1, 101, at::kFloat);  // 100 samples: 1..100
  // Inside: samples [30, 40) -> values 31..40.
  EXPECT_TRUE(at::equal(stimulus_window(audio, 40, 10), at::arange(31, 41, at::kFloat)));
  // Start of the story: 6 zeros, then samples [0, 4).
  at::Tensor start = stimulus_window(audio, 4, 10);
  ASSERT_EQ(start.size(0), 10);
  EXPECT_TRUE(at::equal(start.narrow(0, 0, 6), at::zeros({6})));
  EXPECT_TRUE(at::equal(start.narrow(0, 6, 4), at::arange(1, 5, at::kFloat)));
  // Past the end: samples [95, 100) then 5 zeros.
  at::Tensor end = stimulus_window(audio, 105, 10);
  EXPECT_TRUE(at::equal(end.narrow(0, 0, 5), at::arange(96, 101, at::kFloat)));
  EXPECT_TRUE(at::equal(end.narrow(0, 5, 5), at::zeros({5})));
  // Entirely before the audio: zeros.
  EXPECT_TRUE(at::equal(stimulus_window(audio, 0, 10), at::zeros({10})));
}

TEST(FmriStimulusWindow, BatchOfRowsAtTheLebelRate) {
  // 16 kHz audio of 30 s whose value is the sample's second; LeBel rows of a 30-TR story.
  const std::int64_t rate = 16000;
  const at::Tensor audio = at::floor(at::arange(30 * rate, at::kDouble) / rate).to(at::kFloat);
  const FmriStory story = story_with_times(lebel_tr_times(30));  // 10 rows, ends 12 s .. 30 s
  ASSERT_EQ(story.rows(), 10);
  const at::Tensor batch = stimulus_windows(audio, story, {0, 9}, 2.0, rate, 160000);
  ASSERT_EQ(batch.sizes(), (std::vector<std::int64_t>{2, 160000}));
  // Row 0: seconds 2..11 of the audio, 16000 samples each.
  EXPECT_EQ(batch[0][0].item<float>(), 2.0f);
  EXPECT_EQ(batch[0][159999].item<float>(), 11.0f);
  // Row 9 ends at 30 s, the audio's end: seconds 20..29.
  EXPECT_EQ(batch[1][0].item<float>(), 20.0f);
  EXPECT_EQ(batch[1][159999].item<float>(), 29.0f);
  // A 3 s clip: everything before it is zero padding.
  const at::Tensor short_audio = at::ones({3 * rate});
  const at::Tensor padded =
      stimulus_windows(short_audio, story_with_times({2.0}), {0}, 2.0, rate, 160000);
  EXPECT_EQ(padded.sum().item<float>(), 3.0f * rate);
  EXPECT_EQ(padded[0][160000 - 3 * rate - 1].item<float>(), 0.0f);
  EXPECT_EQ(padded[0][160000 - 3 * rate].item<float>(), 1.0f);
}

TEST(FmriStimulusWindow, LebelTrTimesFollowTheSimulatedTrFiles) {
  // respdict 311 (wheretheressmoke) -> 291 rows from 11 s, 2 s apart.
  const std::vector<double> times = lebel_tr_times(311);
  ASSERT_EQ(times.size(), 291u);
  EXPECT_DOUBLE_EQ(times.front(), 11.0);
  EXPECT_DOUBLE_EQ(times[1], 13.0);
  EXPECT_DOUBLE_EQ(times.back(), 11.0 + 2 * 290);
  EXPECT_THROW(lebel_tr_times(20), DataError);
}

}  // namespace
}  // namespace neuroscale::io
