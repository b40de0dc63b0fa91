// Generator 2's properties, each checked on its ground truth (docs/corpus-format.md,
// "Generator 2"): rotational dynamics whose ongoing part dominates, the calibrated share of
// input variance, coarticulation, trial variability, tuning drift, species and tasks; and
// generator 1's files unchanged.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "io/synth/generator_v2.h"
#include "io/synth/synth_corpus.h"
#include "io/synth/synth_vocabulary.h"

namespace neuroscale::io {
namespace {

SynthOptions v2_options() {
  SynthOptions o;
  o.generator = 2;
  return o;
}

double dot(const double* a, const double* b, int n) {
  double s = 0.0;
  for (int i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

TEST(SynthV2, TheLatentsRotateInPlanesAtTheConfiguredFrequenciesAndDecay) {
  const auto o = v2_options();
  const auto s = latent_system(o, 0.02);
  const int n = s.dim;
  ASSERT_EQ(n, o.latent_dim);
  // A = decay x a rotation: A A^T = decay^2 I; its trace is that of the block-rotation
  // matrix, 2 decay sum cos(2 pi f 0.02) (similarity keeps the trace).
  double trace = 0.0;
  for (int i = 0; i < n; ++i) {
    trace += s.transition[static_cast<std::size_t>(i) * n + i];
    for (int j = 0; j < n; ++j) {
      const double v = dot(&s.transition[static_cast<std::size_t>(i) * n],
                           &s.transition[static_cast<std::size_t>(j) * n], n);
      EXPECT_NEAR(v, i == j ? o.dynamics.decay * o.dynamics.decay : 0.0, 1e-12);
    }
  }
  double expected = 0.0;
  for (double hz : s.plane_hz) expected += 2.0 * o.dynamics.decay * std::cos(2 * M_PI * hz * 0.02);
  EXPECT_NEAR(trace, expected, 1e-9);
  // The response to the input turns alike and fades at input_decay.
  for (std::size_t i = 0; i < s.transition.size(); ++i)
    EXPECT_NEAR(s.input_transition[i], s.transition[i] * o.dynamics.input_decay / o.dynamics.decay,
                1e-15);
  ASSERT_EQ(s.plane_hz.size(), static_cast<std::size_t>(n / 2));
  EXPECT_NEAR(s.plane_hz.front(), o.dynamics.min_hz, 1e-12);
  EXPECT_NEAR(s.plane_hz.back(), o.dynamics.max_hz, 1e-12);
  // Undriven, the ongoing part keeps unit variance per dimension.
  Rng noise(3);
  const int bins = 20000;
  const auto parts =
      simulate_latents(s, std::vector<double>(static_cast<std::size_t>(bins) * n), bins, noise);
  double m2 = 0.0;
  for (double v : parts.ongoing) m2 += v * v;
  EXPECT_NEAR(m2 / static_cast<double>(parts.ongoing.size()), 1.0, 0.08);
  for (double v : parts.input) ASSERT_EQ(v, 0.0);
}

// The input's share of the latents' second moment over the speech spans (or all bins of
// reaching) of fresh trials.
double measured_input_fraction(const SynthOptions& o, std::size_t subject, bool imagined,
                               double* input_m2 = nullptr) {
  const v2::Generator generator(o, 0.02);
  const bool speech = o.subjects[subject].task != "reaching";
  double in = 0.0, on = 0.0, count = 0.0;
  for (std::size_t t = 0; t < 300; ++t) {
    const auto plan = v2::plan_trial(o, subject, 77, t, imagined);
    Rng noise(static_cast<std::uint64_t>(o.seed), {999, t});
    const auto parts = generator.latents(plan, speech, imagined, noise);
    const auto [begin, end] = speech ? v2::speech_span(plan) : std::pair<int, int>{0, plan.bins};
    for (std::size_t i = static_cast<std::size_t>(begin) * o.latent_dim;
         i < static_cast<std::size_t>(end) * o.latent_dim; ++i) {
      in += parts.input[i] * parts.input[i];
      on += parts.ongoing[i] * parts.ongoing[i];
      count += 1.0;
    }
  }
  if (input_m2) *input_m2 = in / count;
  return in / (in + on);
}

TEST(SynthV2, TheTaskInputExplainsTheConfiguredMinorityOfTheLatentVariance) {
  for (double f : {0.3, 0.6}) {
    auto o = v2_options();
    o.dynamics.input_fraction = f;
    EXPECT_NEAR(measured_input_fraction(o, 0, false), f, 0.04) << "speech, fraction " << f;
    EXPECT_NEAR(measured_input_fraction(o, 1, false), f, 0.04) << "reaching, fraction " << f;
  }
  // Imagined speech drives the same system imagined.gain times as strongly.
  const auto o = v2_options();
  double attempted = 0.0, imagined = 0.0;
  measured_input_fraction(o, 0, false, &attempted);
  measured_input_fraction(o, 0, true, &imagined);
  EXPECT_NEAR(imagined / attempted, o.imagined.gain * o.imagined.gain, 0.05);
}

TEST(SynthV2, APhonemesDriveDependsOnItsNeighboursAndItsPositionInTheWord) {
  auto o = v2_options();
  const auto patterns = v2::speech_patterns(o);
  const int n = o.latent_dim;
  // Without coarticulation a phoneme drives its own pattern whatever surrounds it.
  auto plain = o;
  plain.coarticulation.neighbour = plain.coarticulation.position = 0.0;
  // With it, the drive's cosine with the phoneme's own pattern is about
  // 1 / sqrt(1 + neighbour^2 + position^2) (independent random context patterns).
  double cosine = 0.0, count = 0.0;
  std::map<int, std::set<std::vector<double>>> drives;  // phoneme -> distinct drives seen
  for (std::size_t t = 0; t < 200; ++t) {
    const auto plan = v2::plan_trial(o, 0, 0, t, false);
    for (std::size_t i = 0; i < plan.phonemes.size(); ++i) {
      const int p = plan.phonemes[i];
      if (p == kSilenceId || plan.driven[i] != p) continue;
      const auto own = patterns.row(patterns.phoneme, p);
      const auto u = v2::label_drive(plain, patterns, plan, i);
      ASSERT_EQ(u, std::vector<double>(own, own + n)) << "trial " << t << " label " << i;
      const auto c = v2::label_drive(o, patterns, plan, i);
      cosine += dot(c.data(), own, n) / std::sqrt(dot(c.data(), c.data(), n) * dot(own, own, n));
      count += 1.0;
      drives[p].insert(c);
    }
  }
  const double a = o.coarticulation.neighbour, b = o.coarticulation.position;
  EXPECT_NEAR(cosine / count, 1.0 / std::sqrt(1.0 + a * a + b * b), 0.06);
  std::size_t contexts = 0;
  for (const auto& [p, seen] : drives) contexts = std::max(contexts, seen.size());
  EXPECT_GT(contexts, 5u) << "a frequent phoneme is driven differently in different contexts";
  // The drive ramps into the next label over blend_bins: the last bin of a label lies
  // between its drive and the next one's.
  const auto plan = v2::plan_trial(o, 0, 0, 3, false);
  const auto drive = v2::speech_drive(o, patterns, plan);
  const auto first = v2::label_drive(o, patterns, plan, 0);
  const auto second = v2::label_drive(o, patterns, plan, 1);
  const int last = plan.lead_bins + plan.frames[0] - 1;
  const double lambda =
      static_cast<double>(o.coarticulation.blend_bins) / (o.coarticulation.blend_bins + 1);
  ASSERT_GT(plan.frames[0], o.coarticulation.blend_bins);
  for (int j = 0; j < n; ++j) {
    EXPECT_NEAR(drive[static_cast<std::size_t>(plan.lead_bins) * n + j], plan.amplitude * first[j],
                1e-12);
    EXPECT_NEAR(drive[static_cast<std::size_t>(last) * n + j],
                plan.amplitude * ((1 - lambda) * first[j] + lambda * second[j]), 1e-12);
  }
}

TEST(SynthV2, TrialsVaryInRateDurationAmplitudeAndInPhonemesThatDriveNothingOrAnother) {
  const auto o = v2_options();
  const auto patterns = v2::speech_patterns(o);
  double log_amplitude = 0.0, log_amplitude2 = 0.0, trials = 0.0;
  double labels = 0.0, missing = 0.0, substituted = 0.0;
  std::map<int, std::vector<double>> log_frames;  // phoneme -> log durations
  for (std::size_t t = 0; t < 2000; ++t) {
    const auto plan = v2::plan_trial(o, 0, 1, t, false);
    log_amplitude += std::log(plan.amplitude);
    log_amplitude2 += std::log(plan.amplitude) * std::log(plan.amplitude);
    trials += 1.0;
    for (std::size_t i = 0; i < plan.phonemes.size(); ++i) {
      if (plan.phonemes[i] == kSilenceId) continue;
      labels += 1.0;
      missing += plan.driven[i] == 0;
      substituted += plan.driven[i] != 0 && plan.driven[i] != plan.phonemes[i];
      log_frames[plan.phonemes[i]].push_back(std::log(plan.frames[i]));
      if (plan.driven[i] == 0) {
        const auto u = v2::label_drive(o, patterns, plan, i);
        EXPECT_EQ(u, std::vector<double>(u.size(), 0.0));
      }
    }
  }
  const double sd = std::sqrt(log_amplitude2 / trials - std::pow(log_amplitude / trials, 2));
  EXPECT_NEAR(sd, o.variability.amplitude_sd, 0.02);
  EXPECT_NEAR(missing / labels, o.variability.missing, 0.01);
  EXPECT_NEAR(substituted / labels, o.variability.substituted, 0.01);
  // Durations: rate and jitter spread a phoneme's log duration by about
  // sqrt(rate_sd^2 + duration_sd^2) (rounding to bins adds a little, the 2-bin floor
  // takes a little).
  const auto& frames = log_frames.at(3);  // AH, the most frequent vowel
  ASSERT_GT(frames.size(), 500u);
  double m = 0.0, m2 = 0.0;
  for (double f : frames) m += f, m2 += f * f;
  const double spread = std::sqrt(m2 / frames.size() - std::pow(m / frames.size(), 2));
  const double expected = std::hypot(o.variability.rate_sd, o.variability.duration_sd);
  EXPECT_GT(spread, 0.8 * expected);
  EXPECT_LT(spread, 1.3 * expected);
}

TEST(SynthV2, ElectrodeTuningTurnsWeekByWeekAndGainsAndOffsetsChangeDaily) {
  const auto o = v2_options();
  const int electrodes = 128, n = o.latent_dim;
  const auto week0 = v2::electrode_tuning(o, 0, 0, 0, electrodes);
  for (std::size_t week : {1u, 4u, 9u}) {
    const auto later = v2::electrode_tuning(o, 0, week, week, electrodes);
    EXPECT_EQ(later.baseline, week0.baseline);  // the subject's
    double correlation = 0.0;
    for (int e = 0; e < electrodes; ++e) {
      const double* a = &week0.loading[static_cast<std::size_t>(e) * n];
      const double* b = &later.loading[static_cast<std::size_t>(e) * n];
      correlation += dot(a, b, n) / std::sqrt(dot(a, a, n) * dot(b, b, n)) / electrodes;
    }
    const double expected = std::pow(1.0 - o.drift.tuning * o.drift.tuning, week / 2.0);
    EXPECT_NEAR(correlation, expected, 0.06) << "week " << week;
    EXPECT_NE(later.gain, week0.gain);
    EXPECT_NE(later.offset, week0.offset);
  }
  auto fixed = o;
  fixed.drift.tuning = 0.0;
  EXPECT_EQ(v2::electrode_tuning(fixed, 0, 5, 5, electrodes).loading,
            v2::electrode_tuning(fixed, 0, 0, 0, electrodes).loading);
}

TEST(SynthV2, ImaginedSpeechIsASecondTaskOfTheSameSubjectWithASmallVocabulary) {
  auto o = v2_options();
  o.subjects[0].imagined_sessions = 2;
  o.subjects[0].trials_per_session = 40;
  const auto content = plan_synth_corpus(o);
  const auto& index = content.index;
  ASSERT_EQ(index.sessions.size(), 6u);  // human-a: 2 attempted + 2 imagined; monkey-a: 2
  std::set<std::string> imagined_words, dates;
  std::set<std::string> allowed;
  for (int w = 0; w < o.imagined.words; ++w)
    allowed.insert(synth_words_v2()[static_cast<std::size_t>(w)].text);
  for (std::size_t s = 0; s < 4; ++s) {
    EXPECT_EQ(index.sessions[s].subject, 0);
    EXPECT_EQ(index.sessions[s].task, s < 2 ? "attempted_speech" : "imagined_speech");
    dates.insert(index.sessions[s].date);
  }
  EXPECT_EQ(dates.size(), 4u) << "each session its own day";
  for (std::size_t t = 0; t < index.trial_count(); ++t) {
    if (index.trial_session[t] < 2 || index.trial_session[t] > 3) continue;
    std::istringstream words(content.text.substr(static_cast<std::size_t>(index.text_offset[t]),
                                                 static_cast<std::size_t>(index.text_length[t])));
    for (std::string w; words >> w;) {
      EXPECT_TRUE(allowed.count(w)) << w << " is not among the " << o.imagined.words << " words";
      imagined_words.insert(w);
    }
  }
  EXPECT_GT(imagined_words.size(), 10u);
  // Generated, z-scored and reproducible like every session.
  const auto a = generate_session(o, content, 2), b = generate_session(o, content, 2);
  EXPECT_EQ(a.features, b.features);
  EXPECT_EQ(a.trials.size(), 40u);
}

TEST(SynthV2, MonkeysReachWithTheSameSystemAndNoPhonemes) {
  const auto o = v2_options();
  const auto content = plan_synth_corpus(o);
  for (std::size_t t = 0; t < content.index.trial_count(); ++t) {
    if (content.index.trial_subject(t) != 1) continue;
    EXPECT_EQ(content.index.label_count[t], 0);
    EXPECT_EQ(content.index.text_length[t], 0);
  }
  const auto plan = v2::plan_trial(o, 1, 0, 0, false);
  EXPECT_TRUE(plan.phonemes.empty());
  const auto drive = v2::reach_drive(o, plan);
  double energy = 0.0;
  for (double d : drive) energy += d * d;
  EXPECT_GT(energy, 0.0);
  const auto session = generate_session(o, content, 2);  // monkey-a's first day
  for (const auto& labels : session.frame_labels)
    for (int l : labels) EXPECT_EQ(l, 0);
}

// Frame accuracy of a ridge classifier of the driving phoneme from one bin's z-scored
// features, trained on the train trials of `train_session` and tested on the test-split
// trials of `test_session` (bins inside speech only).
double frame_accuracy(const SynthOptions& o, const CorpusContent& content,
                      std::size_t train_session, std::size_t test_session) {
  auto rows = [&](std::size_t session, Split split) {
    const auto s = generate_session(o, content, session);
    std::vector<float> x;
    std::vector<std::int64_t> y;
    std::int64_t channels = 0;
    for (std::size_t i = 0; i < s.trials.size(); ++i) {
      if (content.index.trial_split[s.trials[i]] != static_cast<std::int8_t>(split)) continue;
      const auto& labels = s.frame_labels[i];
      channels = static_cast<std::int64_t>(s.features[i].size() / labels.size());
      for (std::size_t b = 0; b < labels.size(); ++b) {
        if (labels[b] == 0) continue;
        x.insert(x.end(), s.features[i].begin() + static_cast<std::ptrdiff_t>(b * channels),
                 s.features[i].begin() + static_cast<std::ptrdiff_t>((b + 1) * channels));
        y.push_back(labels[b]);
      }
    }
    const auto n = static_cast<std::int64_t>(y.size());
    return std::make_pair(
        torch::from_blob(x.data(), {n, channels}, torch::kFloat).to(torch::kDouble),
        torch::tensor(y, torch::kLong));
  };
  const auto [x, y] = rows(train_session, Split::kTrain);
  const auto [tx, ty] = rows(test_session, Split::kTest);
  const auto targets = torch::one_hot(y, kSilenceId + 1).to(torch::kDouble);
  const auto gram = x.t().mm(x) + 10.0 * torch::eye(x.size(1), torch::kDouble);
  const auto w = torch::linalg_solve(gram, x.t().mm(targets));
  const auto predicted = tx.mm(w).argmax(1);
  return predicted.eq(ty).to(torch::kDouble).mean().item<double>();
}

TEST(SynthV2, ADecoderOfOneDayDegradesOnLaterDaysEvenAfterPerDayZScoring) {
  auto o = v2_options();
  o.subjects = {{"human-a", "human", 128, "tx+sbp", "attempted_speech", 6, 150}};
  o.test_fraction = 0.3;
  const auto content = plan_synth_corpus(o);
  const double same_day = frame_accuracy(o, content, 0, 0);
  const double week5 = frame_accuracy(o, content, 0, 5);
  EXPECT_GT(same_day, 0.15) << "well above chance (1/40)";
  EXPECT_LT(week5, 0.75 * same_day) << "same day " << same_day << ", week 5 " << week5;
  // Without tuning drift, z-scoring undoes the daily gains and offsets almost entirely.
  o.drift.tuning = 0.0;
  const auto steady = plan_synth_corpus(o);
  const double steady_same = frame_accuracy(o, steady, 0, 0);
  const double steady_week5 = frame_accuracy(o, steady, 0, 5);
  std::cout << "frame accuracy of a day-0 decoder: same day " << same_day << ", week 5 " << week5
            << "; without tuning drift " << steady_same << ", " << steady_week5 << "\n";
  EXPECT_GT(steady_week5, 0.85 * steady_same)
      << "same day " << steady_same << ", week 5 " << steady_week5;
}

// FNV-1a over a session's features: generator 1's output pinned.
std::uint64_t fingerprint(const SessionFeatures& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (const auto& trial : s.features)
    for (float v : trial) {
      std::uint32_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      for (int k = 0; k < 4; ++k) h = (h ^ ((bits >> (8 * k)) & 0xff)) * 1099511628211ull;
    }
  return h;
}

TEST(SynthV2, GeneratorOneIsUnchanged) {
  const SynthOptions o;  // generator 1, the built-in tiny corpus
  const auto content = plan_synth_corpus(o);
  std::ostringstream prints;
  for (std::size_t s = 0; s < content.index.sessions.size(); ++s)
    prints << std::hex << fingerprint(generate_session(o, content, s)) << " ";
  // The values of the generator before generator 2 existed (checked then on the whole file).
  EXPECT_EQ(prints.str(), "f228c7a452af996a b0a172174a2a5ee8 6f5012a8aced6adc d09b897bdcb8b1fa ");
}

}  // namespace
}  // namespace neuroscale::io
