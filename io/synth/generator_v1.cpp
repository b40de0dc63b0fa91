#include "io/synth/generator_v1.h"

#include <algorithm>
#include <cmath>

#include "io/synth/synth_streams.h"
#include "io/synth/synth_vocabulary.h"

namespace neuroscale::io::v1 {

TrialPlan plan_trial(const SynthOptions& o, std::size_t subject, std::size_t session,
                     std::size_t trial) {
  Rng rng(static_cast<std::uint64_t>(o.seed), {kPlan, subject, session, trial});
  TrialPlan plan;
  const double u = rng.uniform();
  plan.split = u < o.test_fraction
                   ? Split::kTest
                   : (u < o.test_fraction + o.val_fraction ? Split::kVal : Split::kTrain);
  if (o.subjects[subject].task == "reaching") {
    plan.bins = static_cast<int>(rng.uniform_int(o.reach_min_bins, o.reach_max_bins));
    return plan;
  }
  const auto& words = synth_words_v1();
  const int n_words = static_cast<int>(rng.uniform_int(2, 6));
  plan.lead_bins = static_cast<int>(rng.uniform_int(5, 15));
  plan.bins = plan.lead_bins;
  for (int w = 0; w < n_words; ++w) {
    const SynthWord& word = words[rng.uniform_int(0, static_cast<std::int64_t>(words.size()) - 1)];
    if (!plan.text.empty()) plan.text += ' ';
    plan.text += word.text;
    for (int p : word.phonemes) {
      plan.phonemes.push_back(p);
      plan.frames.push_back(static_cast<int>(rng.uniform_int(3, 7)));
    }
    plan.phonemes.push_back(kSilenceId);
    plan.frames.push_back(static_cast<int>(rng.uniform_int(2, 4)));
  }
  for (int f : plan.frames) plan.bins += f;
  plan.bins += static_cast<int>(rng.uniform_int(5, 10));  // trailing silence
  return plan;
}

std::vector<double> latent_trajectory(const SynthOptions& o, const TrialPlan& plan, bool speech,
                                      Rng& noise, std::uint64_t reach_seed,
                                      std::vector<int>& frame_labels) {
  const int k = o.latent_dim;
  std::vector<double> z(static_cast<std::size_t>(plan.bins) * k, 0.0);
  frame_labels.assign(static_cast<std::size_t>(plan.bins), 0);
  std::vector<double> target(k, 0.0);
  if (speech) {
    // Each phoneme has a fixed latent pattern shared by every subject and species.
    int t = plan.lead_bins;
    std::vector<int>& label_at = frame_labels;
    label_at.assign(static_cast<std::size_t>(plan.bins), 0);
    for (std::size_t i = 0; i < plan.phonemes.size(); ++i) {
      for (int f = 0; f < plan.frames[i] && t < plan.bins; ++f) label_at[t++] = plan.phonemes[i];
    }
    std::vector<double> state(k, 0.0);
    for (int t2 = 0; t2 < plan.bins; ++t2) {
      if (label_at[t2] != 0) {
        Rng pattern(static_cast<std::uint64_t>(o.seed),
                    {kPhonemePattern, static_cast<std::uint64_t>(label_at[t2])});
        for (int j = 0; j < k; ++j) target[j] = 1.5 * pattern.normal();
      } else {
        std::fill(target.begin(), target.end(), 0.0);
      }
      for (int j = 0; j < k; ++j) {
        state[j] += 0.5 * (target[j] - state[j]) + 0.15 * noise.normal();
        z[static_cast<std::size_t>(t2) * k + j] = state[j];
      }
    }
  } else {
    // Centre-out reaching to one of 8 targets: a bell-shaped speed profile along the target
    // direction; velocity enters the latents through one fixed map shared by every monkey,
    // so units are cosine-tuned to reach velocity.
    Rng shared(static_cast<std::uint64_t>(o.seed), {kReach});
    std::vector<double> map(static_cast<std::size_t>(k) * 2);
    for (double& w : map) w = shared.normal();
    Rng reach(reach_seed, {kReach});
    const double angle = 6.283185307179586 * static_cast<double>(reach.uniform_int(0, 7)) / 8.0;
    const double centre = plan.bins * (0.4 + 0.2 * reach.uniform());
    const double width = plan.bins * 0.15;
    std::vector<double> state(k, 0.0);
    for (int t = 0; t < plan.bins; ++t) {
      const double speed = 2.0 * std::exp(-0.5 * std::pow((t - centre) / width, 2));
      const double vx = speed * std::cos(angle), vy = speed * std::sin(angle);
      for (int j = 0; j < k; ++j) {
        const double drive = map[static_cast<std::size_t>(j) * 2] * vx +
                             map[static_cast<std::size_t>(j) * 2 + 1] * vy;
        state[j] = 0.8 * state[j] + 0.2 * drive + 0.15 * noise.normal();
        z[static_cast<std::size_t>(t) * k + j] = state[j];
      }
    }
  }
  return z;
}

ElectrodeTuning electrode_tuning(const SynthOptions& o, std::size_t subject, std::size_t session,
                                 int electrodes) {
  const int k = o.latent_dim;
  ElectrodeTuning out;
  Rng readout(static_cast<std::uint64_t>(o.seed), {kSubjectReadout, subject});
  out.baseline.resize(static_cast<std::size_t>(electrodes));
  out.loading.resize(static_cast<std::size_t>(electrodes) * k);
  for (auto& b : out.baseline) b = std::log(o.base_rate_hz) + 0.5 * readout.normal();
  for (double& w : out.loading) w = readout.normal() / std::sqrt(static_cast<double>(k));
  Rng drift(static_cast<std::uint64_t>(o.seed), {kSessionDrift, subject, session});
  for (int e = 0; e < electrodes; ++e) {
    out.gain.push_back(std::exp(0.1 * drift.normal()));
    out.offset.push_back(0.2 * drift.normal());
    out.dropped.push_back(drift.uniform() < o.dropped_fraction);
  }
  return out;
}

}  // namespace neuroscale::io::v1
