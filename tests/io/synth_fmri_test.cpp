#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "io/fmri/fmri_reader.h"
#include "io/synth/auditory_features.h"
#include "io/synth/phonetic_features.h"
#include "io/synth/synth_fmri.h"

namespace neuroscale::io {
namespace {

// Small and quick: 3 stories of 40-50 s, 5 participants (3 train, 2 held out), 48 voxels.
SynthFmriOptions small_options() {
  SynthFmriOptions o;
  o.stories = 3;
  o.min_story_s = 40;
  o.max_story_s = 50;
  o.trim_start_trs = 2;
  o.voxels = 48;
  o.test_repeats = 3;
  return o;
}

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "neuroscale_synth_fmri_" + std::to_string(::getpid()) + "_" + name +
         ".h5";
}

// Pearson correlation of each column of a and b ([rows, V] -> [V]).
at::Tensor column_correlation(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor x = a.to(at::kDouble) - a.to(at::kDouble).mean(0);
  const at::Tensor y = b.to(at::kDouble) - b.to(at::kDouble).mean(0);
  return (x * y).sum(0) / ((x * x).sum(0) * (y * y).sum(0)).sqrt().clamp_min(1e-12);
}

class FmriSynth : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    path_ = new std::string(temp_path("corpus"));
    std::remove(path_->c_str());
    write_synth_fmri(small_options(), *path_, true, "");
  }
  static void TearDownTestSuite() {
    std::remove(path_->c_str());
    delete path_;
  }
  static std::string* path_;
};
std::string* FmriSynth::path_ = nullptr;

TEST_F(FmriSynth, FileFollowsTheOptions) {
  FmriReader reader(*path_);
  const FmriIndex& index = reader.index();
  EXPECT_EQ(index.voxels, 48);
  EXPECT_DOUBLE_EQ(index.sample_rate, 16000);
  ASSERT_EQ(index.stories.size(), 3u);
  EXPECT_EQ(index.stories_in_split("test"), std::vector<std::string>{"story01"});
  EXPECT_EQ(index.stories_in_split("val"), std::vector<std::string>{"story02"});
  EXPECT_EQ(index.participants_with_role("train"), (std::vector<std::string>{"P01", "P02", "P03"}));
  EXPECT_EQ(index.participants_with_role("held_out"), (std::vector<std::string>{"P04", "P05"}));
  for (const auto& story : index.stories) {
    const double seconds = static_cast<double>(story.samples) / 16000;
    EXPECT_GT(seconds, 30) << story.name;  // espeak-ng's timing is near the targeted 40-50 s
    EXPECT_LT(seconds, 65) << story.name;
    EXPECT_DOUBLE_EQ(story.tr_times.front(), 5.0);  // TR 2 (2 trimmed) at its middle
    EXPECT_LE(story.tr_times.back() + 1.0, seconds);
    const at::Tensor audio = reader.audio(story.name);
    EXPECT_GT(audio.abs().max().item<float>(), 0.05) << story.name << " is silent";
  }
  for (const auto& p : index.participants) {
    EXPECT_EQ(p.stories.size(), 3u);
    EXPECT_EQ(p.repeat_stories, std::vector<std::string>{"story01"});
    // z-scored per story and voxel (the test story's mean of repeats is not rescaled).
    const at::Tensor r = reader.responses(p.name, "story02");
    EXPECT_LT(r.mean(0).abs().max().item<float>(), 1e-4);
    EXPECT_NEAR(r.pow(2).mean(0).mean().item<float>(), 1.0, 1e-3);
  }
  // Hidden features: 2 x 16 auditory, then the 20 phonetic ones.
  EXPECT_EQ(reader.dataset("/ground_truth/stories/story02/features").size(1), 2 * 16 + 20);
  EXPECT_EQ(reader.dataset("/ground_truth/participants/P01/weights").size(0), 2 * 16 + 20);
}

// Over the corpus's rows the phonetic part of the signal has phonetic_weight (0.5) of its
// variance, and both parts shape each voxel's signal: neither is a copy of the other.
TEST_F(FmriSynth, PhoneticFeaturesCarryTheirShareOfTheSignal) {
  FmriReader reader(*path_);
  for (const std::string p : {"P01", "P05"}) {
    const at::Tensor weights =
        reader.dataset("/ground_truth/participants/" + p + "/weights").to(at::kDouble);
    std::vector<at::Tensor> features, signals;
    for (const std::string story : {"story01", "story02", "story03"}) {
      features.push_back(reader.dataset("/ground_truth/stories/" + story + "/features"));
      signals.push_back(
          reader.dataset("/ground_truth/participants/" + p + "/" + story + "/signal"));
    }
    const at::Tensor x = at::cat(features).to(at::kDouble);
    const at::Tensor auditory = at::matmul(x.narrow(1, 0, 32), weights.narrow(0, 0, 32));
    const at::Tensor phonetic = at::matmul(x.narrow(1, 32, 20), weights.narrow(0, 32, 20));
    const at::Tensor share =
        phonetic.var(0, false) / (phonetic.var(0, false) + auditory.var(0, false));
    EXPECT_NEAR(share.min().item<double>(), 0.5, 1e-4) << p;  // float32 in the file
    EXPECT_NEAR(share.max().item<double>(), 0.5, 1e-4) << p;
    const at::Tensor signal = at::cat(signals);
    const double with_phonetic = column_correlation(phonetic, signal).mean().item<double>();
    const double with_auditory = column_correlation(auditory, signal).mean().item<double>();
    EXPECT_GT(with_phonetic, 0.4) << p;
    EXPECT_LT(with_phonetic, 0.95) << p;
    EXPECT_GT(with_auditory, 0.4) << p;
    EXPECT_LT(with_auditory, 0.95) << p;
  }
}

// phonetic_weight sets the phonetic rows' share: 0 leaves them zero (auditory only), 1 the
// auditory rows; the other weights follow the same draws.
TEST(FmriSynthParts, PhoneticWeightScalesTheGroupsRows) {
  SynthFmriOptions options = small_options();
  const at::Tensor features =
      at::randn({200, 2 * 16 + kPhoneticFeatures}, at::TensorOptions().dtype(at::kDouble));
  for (double w : {0.0, 0.3, 1.0}) {
    options.phonetic_weight = w;
    const SynthFmriModel model = make_synth_fmri_model(options, {features});
    ASSERT_EQ(model.weights.size(), 5u);
    for (const at::Tensor& weights : model.weights) {
      const at::Tensor a = at::matmul(features.narrow(1, 0, 32), weights.narrow(0, 0, 32));
      const at::Tensor p = at::matmul(features.narrow(1, 32, 20), weights.narrow(0, 32, 20));
      EXPECT_TRUE(at::allclose(a.var(0, false), at::full({48}, 1 - w, at::kDouble), 1e-9, 1e-12));
      EXPECT_TRUE(at::allclose(p.var(0, false), at::full({48}, w, at::kDouble), 1e-9, 1e-12));
    }
  }
}

// The file's reproducibility is checked from fresh processes (SynthFmriCli): espeak-ng's
// output depends slightly on what the process spoke before.
TEST(FmriSynthParts, StoryPlansArePureFunctionsOfTheSeed) {
  SynthFmriOptions other = small_options();
  other.seed = 99;
  EXPECT_NE(plan_synth_fmri_stories(other)[0].text,
            plan_synth_fmri_stories(small_options())[0].text);
  EXPECT_EQ(plan_synth_fmri_stories(small_options())[2].text,
            plan_synth_fmri_stories(small_options())[2].text);
}

TEST_F(FmriSynth, GroundTruthExplainsTheResponses) {
  FmriReader reader(*path_);
  for (const auto& p : reader.index().participants) {
    const at::Tensor fraction =
        reader.dataset("/ground_truth/participants/" + p.name + "/signal_fraction");
    const at::Tensor high = fraction > 0.4, none = fraction == 0;
    ASSERT_GT(high.sum().item<std::int64_t>(), 3);
    ASSERT_GT(none.sum().item<std::int64_t>(), 3);
    std::vector<at::Tensor> responses, signals;
    for (const std::string story : {"story02", "story03"}) {
      signals.push_back(
          reader.dataset("/ground_truth/participants/" + p.name + "/" + story + "/signal"));
      responses.push_back(reader.responses(p.name, story));
    }
    const at::Tensor correlation = column_correlation(at::cat(responses), at::cat(signals));
    // Expected correlation sqrt(f): > 0.63 for f > 0.4, 0 for noise voxels. ~40 rows of slow
    // (HRF-smoothed, AR(1)) series have few degrees of freedom: chance |r| is about 0.2.
    const double signal_r = correlation.index({high}).mean().item<double>();
    const double noise_r = correlation.index({none}).abs().mean().item<double>();
    EXPECT_GT(signal_r, 0.55) << p.name;
    EXPECT_LT(noise_r, 0.35) << p.name;
    EXPECT_GT(signal_r - noise_r, 0.3) << p.name;
    // The signal is the features through the participant's weights, z-scored.
    const at::Tensor features = reader.dataset("/ground_truth/stories/story03/features");
    const at::Tensor weights = reader.dataset("/ground_truth/participants/" + p.name + "/weights");
    const at::Tensor signal =
        reader.dataset("/ground_truth/participants/" + p.name + "/story03/signal");
    EXPECT_GT(column_correlation(at::matmul(features, weights), signal).min().item<double>(),
              0.999);
  }
}

TEST_F(FmriSynth, RepeatsDifferOnlyByNoise) {
  FmriReader reader(*path_);
  const at::Tensor fraction = reader.dataset("/ground_truth/participants/P01/signal_fraction");
  const at::Tensor repeats = reader.repeats("P01", "story01");
  ASSERT_EQ(repeats.size(0), 3);
  EXPECT_TRUE(at::allclose(repeats.mean(0), reader.responses("P01", "story01"), 1e-5, 1e-6));
  // Between two presentations, voxels correlate by about their signal fraction (averaged
  // over the three pairs of presentations), noise voxels by 0 on average.
  const at::Tensor between =
      (column_correlation(repeats[0], repeats[1]) + column_correlation(repeats[0], repeats[2]) +
       column_correlation(repeats[1], repeats[2])) /
      3;
  EXPECT_GT(between.index({fraction > 0.4}).mean().item<double>(), 0.3);
  EXPECT_LT(std::abs(between.index({fraction == 0}).mean().item<double>()), 0.12);
  // The noise differs: no two repeats are equal.
  EXPECT_GT((repeats[0] - repeats[1]).abs().max().item<float>(), 0.1);
}

TEST_F(FmriSynth, HeldOutParticipantsShareTheVoxelSpace) {
  FmriReader reader(*path_);
  const auto signal = [&](const std::string& p) {
    return reader.dataset("/ground_truth/participants/" + p + "/story03/signal");
  };
  // Weights mix sqrt(1 - 0.3^2) of the shared map with 0.3 of their own: signals agree.
  for (const std::string held_out : {"P04", "P05"}) {
    EXPECT_GT(column_correlation(signal(held_out), signal("P01")).mean().item<double>(), 0.75)
        << held_out;
  }
}

TEST(FmriSynthParts, CanonicalHrfPeaksAtFiveSeconds) {
  const std::vector<double> hrf = canonical_hrf(0.1);
  ASSERT_EQ(hrf.size(), 321u);
  double sum = 0;
  std::size_t peak = 0;
  for (std::size_t i = 0; i < hrf.size(); ++i) {
    sum += hrf[i];
    if (hrf[i] > hrf[peak]) peak = i;
  }
  EXPECT_NEAR(sum, 1.0, 1e-12);
  EXPECT_NEAR(peak * 0.1, 5.0, 0.15);  // mode of gamma(6, 1) less a small undershoot pull
  EXPECT_LT(*std::min_element(hrf.begin(), hrf.end()), 0.0);  // the undershoot
}

TEST(FmriSynthParts, UnknownVoicesAreNamed) {
  SynthFmriOptions options = small_options();
  options.voices = {"en-us", "en-gb", "xx-nosuchvoice"};
  try {
    validate(options, "cfg.yaml");
    FAIL() << "expected an error";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("cfg.yaml: 'voices': "), std::string::npos) << message;
    EXPECT_NE(message.find("xx-nosuchvoice"), std::string::npos) << message;
  }
  options.voices = {"en-us", "en-gb", "en-us+f3"};
  EXPECT_NO_THROW(validate(options, "cfg.yaml"));
}

}  // namespace
}  // namespace neuroscale::io
