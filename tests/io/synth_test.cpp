#include <gtest/gtest.h>

#include <cmath>

#include "io/config/config_document.h"
#include "io/synth/synth_corpus.h"

namespace neuroscale::io {
namespace {

TEST(Synth, PlanFollowsTheConfig) {
  SynthOptions options;  // the built-in tiny corpus
  CorpusContent plan = plan_synth_corpus(options);
  const CorpusIndex& index = plan.index;
  ASSERT_EQ(index.subjects.size(), 2u);
  EXPECT_EQ(index.subjects[0].n_channels, 256);  // 128 electrodes x (tx + sbp)
  EXPECT_EQ(index.subjects[1].n_channels, 96);
  EXPECT_EQ(index.sessions.size(), 4u);
  EXPECT_EQ(index.trial_count(), 32u);
  EXPECT_NO_THROW(index.validate("plan"));
  for (std::size_t t = 0; t < index.trial_count(); ++t) {
    const bool speech = index.trial_subject(t) == 0;
    EXPECT_EQ(index.label_count[t] > 0, speech) << "trial " << t;
    EXPECT_EQ(index.text_length[t] > 0, speech) << "trial " << t;
    if (!speech) {
      EXPECT_GE(index.trial_bins[t], options.reach_min_bins);
      EXPECT_LE(index.trial_bins[t], options.reach_max_bins);
    }
  }
  // Labels use the 41-class layout and every sentence ends with SIL.
  for (std::size_t t = 0; t < index.trial_count(); ++t) {
    if (index.label_count[t] == 0) continue;
    for (std::int32_t i = 0; i < index.label_count[t]; ++i) {
      const int id = plan.phonemes[index.label_offset[t] + i];
      EXPECT_GE(id, 1);
      EXPECT_LE(id, kSilenceId);
    }
    EXPECT_EQ(plan.phonemes[index.label_offset[t] + index.label_count[t] - 1], kSilenceId);
  }
}

TEST(Synth, SessionsAreZScoredPerDayAndDeterministic) {
  SynthOptions options;
  CorpusContent plan = plan_synth_corpus(options);
  SessionFeatures a = generate_session(options, plan, 1);
  SessionFeatures b = generate_session(options, plan, 1);
  ASSERT_EQ(a.features, b.features);
  const int channels = plan.index.subjects[0].n_channels;
  std::vector<double> sum(channels, 0.0), sum_sq(channels, 0.0);
  double rows = 0;
  for (const auto& trial : a.features) {
    for (std::size_t i = 0; i < trial.size(); ++i) {
      sum[i % channels] += trial[i];
      sum_sq[i % channels] += trial[i] * trial[i];
    }
    rows += static_cast<double>(trial.size()) / channels;
  }
  for (int c = 0; c < channels; ++c) {
    EXPECT_NEAR(sum[c] / rows, 0.0, 1e-4) << "channel " << c;
    const double var = sum_sq[c] / rows;
    // Unit variance, or an all-constant channel left at zero.
    EXPECT_TRUE(std::abs(var - 1.0) < 1e-3 || var < 1e-6) << "channel " << c << " var " << var;
  }
  // Raw statistics are stored for inversion: threshold crossings have positive mean rates.
  EXPECT_GT(a.mean[0], 0.0f);
}

TEST(Synth, DifferentSeedsGiveDifferentData) {
  SynthOptions a, b;
  b.seed = 99;
  auto pa = plan_synth_corpus(a), pb = plan_synth_corpus(b);
  EXPECT_NE(pa.index.trial_bins, pb.index.trial_bins);
}

// Speech trials carry phoneme-specific structure: the same phoneme sequence in two trials
// gives correlated latent-driven features. Checked weakly but falsifiably: features of a
// speech trial are not white noise (lag-1 autocorrelation of the SBP features is positive).
TEST(Synth, SpeechFeaturesAreTemporallyStructured) {
  SynthOptions options;
  CorpusContent plan = plan_synth_corpus(options);
  SessionFeatures s = generate_session(options, plan, 0);
  const int channels = plan.index.subjects[0].n_channels, electrodes = 128;
  double num = 0, den = 0;
  for (const auto& trial : s.features) {
    const std::size_t bins = trial.size() / channels;
    for (std::size_t t = 1; t < bins; ++t) {
      for (int c = electrodes; c < channels; ++c) {
        num += trial[t * channels + c] * trial[(t - 1) * channels + c];
        den += trial[t * channels + c] * trial[t * channels + c];
      }
    }
  }
  EXPECT_GT(num / den, 0.3);
}

}  // namespace
}  // namespace neuroscale::io

namespace neuroscale::io {
namespace {

// Phonemes are decodable from single bins well above chance: nearest-centroid on the
// spike-band power of training trials, scored on held-out trials of the same subject.
TEST(Synth, PhonemesDecodableWellAboveChance) {
  SynthOptions options;
  options.subjects = {{"human-a", "human", 128, "tx+sbp", "attempted_speech", 2, 60}};
  CorpusContent plan = plan_synth_corpus(options);
  const int channels = 256;
  std::vector<std::vector<double>> centroid(kPhonemeClasses, std::vector<double>(channels, 0.0));
  std::vector<int> count(kPhonemeClasses, 0);
  std::vector<std::pair<std::vector<float>, int>> held_out;
  for (std::size_t session = 0; session < 2; ++session) {
    SessionFeatures s = generate_session(options, plan, session);
    for (std::size_t i = 0; i < s.trials.size(); ++i) {
      const bool train = i % 4 != 0;
      const auto& x = s.features[i];
      for (std::size_t b = 0; b < s.frame_labels[i].size(); ++b) {
        // Skip phoneme onsets, where the latent state is still moving.
        const int label = s.frame_labels[i][b];
        if (label == 0 || b < 2 || s.frame_labels[i][b - 2] != label) continue;
        std::vector<float> row(x.begin() + static_cast<std::ptrdiff_t>(b * channels),
                               x.begin() + static_cast<std::ptrdiff_t>((b + 1) * channels));
        if (train) {
          for (int c = 0; c < channels; ++c) centroid[label][c] += row[c];
          ++count[label];
        } else {
          held_out.emplace_back(std::move(row), label);
        }
      }
    }
  }
  int correct = 0;
  for (const auto& [row, label] : held_out) {
    int best = -1;
    double best_distance = 1e300;
    for (int p = 1; p < kPhonemeClasses; ++p) {
      if (count[p] == 0) continue;
      double d = 0;
      for (int c = 0; c < channels; ++c) d += std::pow(row[c] - centroid[p][c] / count[p], 2);
      if (d < best_distance) best_distance = d, best = p;
    }
    correct += best == label;
  }
  ASSERT_GT(held_out.size(), 500u);
  const double accuracy = static_cast<double>(correct) / held_out.size();
  EXPECT_GT(accuracy, 10.0 / 40.0) << "chance is about 1/40";
}

// configs/synth/paper.yaml plans the BIT corpus size: ~367 h, 98 h human and 269 h monkey.
TEST(Synth, PaperConfigPlansThePaperHours) {
  SynthOptions options;
  auto doc =
      ConfigDocument::from_file(std::string(NEUROSCALE_SOURCE_DIR) + "/configs/synth/paper.yaml");
  doc.read_into([&](ConfigVisitor& v) { describe(v, options); });
  const CorpusIndex index = plan_synth_corpus(options).index;
  double human = 0, monkey = 0;
  for (std::size_t t = 0; t < index.trial_count(); ++t) {
    const double hours = index.trial_bins[t] * 0.02 / 3600.0;
    (index.subjects[index.trial_subject(t)].species == "human" ? human : monkey) += hours;
  }
  EXPECT_NEAR(human, 98.0, 98.0 * 0.05);
  EXPECT_NEAR(monkey, 269.0, 269.0 * 0.05);
  EXPECT_NEAR(human + monkey, 367.0, 367.0 * 0.05);
}

TEST(Synth, DroppedElectrodesCarryNoSpikes) {
  SynthOptions options;
  options.dropped_fraction = 0.3;
  CorpusContent plan = plan_synth_corpus(options);
  SessionFeatures s = generate_session(options, plan, 2);  // a monkey session: crossings only
  const int channels = 96;
  int silent = 0;
  for (int c = 0; c < channels; ++c) {
    bool constant = true;
    for (const auto& x : s.features) {
      for (std::size_t i = static_cast<std::size_t>(c); i < x.size(); i += channels)
        constant &= x[i] == 0.0f;
    }
    silent += constant && s.mean[c] == 0.0f;
  }
  EXPECT_GT(silent, 15);  // about 30% of 96
  EXPECT_LT(silent, 45);
}

}  // namespace
}  // namespace neuroscale::io
