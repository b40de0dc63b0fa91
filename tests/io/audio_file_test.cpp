#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "io/audio/audio_file.h"

namespace neuroscale::io {
namespace {

// Frequency of the strongest component by counting upward zero crossings.
double zero_crossing_hz(const std::vector<float>& x, double rate, std::size_t skip) {
  int crossings = 0;
  std::size_t first = 0, last = 0;
  for (std::size_t i = skip + 1; i + skip < x.size(); ++i) {
    if (x[i - 1] < 0 && x[i] >= 0) {
      if (crossings == 0) first = i;
      last = i;
      ++crossings;
    }
  }
  return (crossings - 1) * rate / static_cast<double>(last - first);
}

TEST(FmriAudioFile, SineAt22050ResampledTo16000KeepsFrequencyAndLength) {
  const std::string path =
      ::testing::TempDir() + "neuroscale_sine_" + std::to_string(::getpid()) + ".wav";
  const int rate = 22050, n = 2 * rate + 123;
  std::vector<float> sine(n);
  for (int i = 0; i < n; ++i)
    sine[i] = 0.5f * static_cast<float>(std::sin(2 * M_PI * 440.0 * i / rate));
  write_wav(path, sine, rate);

  const Audio audio = read_audio(path);
  EXPECT_DOUBLE_EQ(audio.sample_rate, rate);
  ASSERT_EQ(audio.samples.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; i += 997)
    EXPECT_NEAR(audio.samples[i], sine[i], 1.0 / 32767) << "sample " << i;

  const std::vector<float> resampled = resample(audio.samples, rate, 16000);
  ASSERT_EQ(resampled.size(), static_cast<std::size_t>(std::llround(n * 16000.0 / rate)));
  EXPECT_NEAR(zero_crossing_hz(resampled, 16000, 800), 440.0, 0.1);
  // Amplitude and phase: compare with the ideal sine at the new rate away from the edges.
  double max_error = 0;
  for (std::size_t i = 800; i + 800 < resampled.size(); ++i) {
    const double ideal = 0.5 * std::sin(2 * M_PI * 440.0 * static_cast<double>(i) / 16000);
    max_error = std::max(max_error, std::abs(resampled[i] - ideal));
  }
  EXPECT_LT(max_error, 2e-3);
  std::remove(path.c_str());
}

TEST(FmriAudioFile, ErrorsNameTheFile) {
  const std::string path =
      ::testing::TempDir() + "neuroscale_not_audio_" + std::to_string(::getpid()) + ".wav";
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("not a sound file", f);
  std::fclose(f);
  try {
    read_audio(path);
    FAIL() << "expected a DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
  EXPECT_EQ(resample({1, 2, 3}, 16000, 16000), (std::vector<float>{1, 2, 3}));
}

}  // namespace
}  // namespace neuroscale::io
