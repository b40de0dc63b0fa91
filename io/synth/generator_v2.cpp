#include "io/synth/generator_v2.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"
#include "io/synth/synth_streams.h"
#include "io/synth/synth_vocabulary.h"

namespace neuroscale::io::v2 {
namespace {

constexpr int kCalibrationTrials = 256;

// Mean bins of a phoneme (fixed per phoneme: vowels and consonants differ), before the
// trial's rate and the phoneme's own jitter.
double mean_bins(const SynthOptions& o, int phoneme) {
  Rng rng(static_cast<std::uint64_t>(o.seed),
          {kPhonemeDuration, static_cast<std::uint64_t>(phoneme)});
  return phoneme == kSilenceId ? 3.0 : 3.0 + 3.0 * rng.uniform();
}

// A word index of the `vocabulary` most frequent words, Zipf-distributed (p ~ 1 / rank).
std::size_t zipf_word(int vocabulary, Rng& rng) {
  double total = 0.0;
  for (int k = 1; k <= vocabulary; ++k) total += 1.0 / k;
  double u = rng.uniform() * total;
  for (int k = 1; k <= vocabulary; ++k) {
    u -= 1.0 / k;
    if (u < 0) return static_cast<std::size_t>(k - 1);
  }
  return static_cast<std::size_t>(vocabulary - 1);
}

int bins_of(double mean, double rate, double duration_sd, Rng& rng) {
  return std::max(
      2, static_cast<int>(std::lround(mean * rate * std::exp(duration_sd * rng.normal()))));
}

void plan_speech(const SynthOptions& o, bool imagined, Rng& rng, TrialPlan& plan) {
  const auto& words = synth_words_v2();
  const int vocabulary = imagined ? o.imagined.words : o.words;
  const int n_words = static_cast<int>(rng.uniform_int(o.min_words, o.max_words));
  const double rate = std::exp(o.variability.rate_sd * rng.normal());
  plan.amplitude = std::exp(o.variability.amplitude_sd * rng.normal());
  plan.lead_bins = static_cast<int>(rng.uniform_int(5, 15));
  plan.bins = plan.lead_bins;
  for (int w = 0; w < n_words; ++w) {
    const SynthWord& word = words[zipf_word(vocabulary, rng)];
    if (!plan.text.empty()) plan.text += ' ';
    plan.text += word.text;
    const auto n = word.phonemes.size();
    for (std::size_t j = 0; j < n; ++j) {
      const int p = word.phonemes[j];
      plan.phonemes.push_back(p);
      plan.position.push_back(n == 1 ? 3 : j == 0 ? 0 : j + 1 == n ? 2 : 1);
      plan.frames.push_back(bins_of(mean_bins(o, p), rate, o.variability.duration_sd, rng));
      const double u = rng.uniform();
      int driven = p;
      if (u < o.variability.missing) {
        driven = 0;
      } else if (u < o.variability.missing + o.variability.substituted) {
        driven = static_cast<int>(rng.uniform_int(1, kSilenceId - 2));  // any other phoneme
        if (driven >= p) ++driven;
      }
      plan.driven.push_back(driven);
    }
    plan.phonemes.push_back(kSilenceId);
    plan.position.push_back(-1);
    plan.frames.push_back(bins_of(mean_bins(o, kSilenceId), rate, o.variability.duration_sd, rng));
    plan.driven.push_back(kSilenceId);
  }
  for (int f : plan.frames) plan.bins += f;
  plan.bins += static_cast<int>(rng.uniform_int(5, 10));  // trailing silence
}

void plan_reach(const SynthOptions& o, Rng& rng, TrialPlan& plan) {
  plan.bins = static_cast<int>(rng.uniform_int(o.reach_min_bins, o.reach_max_bins));
  plan.reach_target = static_cast<int>(rng.uniform_int(0, 7));
  plan.reach_centre = plan.bins * (0.4 + 0.2 * rng.uniform());
}

std::vector<double> pattern_table(const SynthOptions& o, int rows, std::uint64_t family,
                                  std::uint64_t kind) {
  std::vector<double> table;
  for (int r = 0; r < rows; ++r) {
    Rng rng(static_cast<std::uint64_t>(o.seed), {family, kind, static_cast<std::uint64_t>(r)});
    for (int j = 0; j < o.latent_dim; ++j) table.push_back(rng.normal());
  }
  return table;
}

// Mean of x^2 over the bins [begin, end) of a [bins, dim] series.
double second_moment(const std::vector<double>& x, int dim, int begin, int end, double& count) {
  double sum = 0.0;
  for (std::size_t i = static_cast<std::size_t>(begin) * dim;
       i < static_cast<std::size_t>(end) * dim; ++i)
    sum += x[i] * x[i];
  count += static_cast<double>(end - begin) * dim;
  return sum;
}

}  // namespace

TrialPlan plan_trial(const SynthOptions& o, std::size_t subject, std::size_t session,
                     std::size_t trial, bool imagined) {
  Rng rng(static_cast<std::uint64_t>(o.seed), {kPlan, subject, session, trial});
  TrialPlan plan;
  const double u = rng.uniform();
  plan.split = u < o.test_fraction
                   ? Split::kTest
                   : (u < o.test_fraction + o.val_fraction ? Split::kVal : Split::kTrain);
  if (o.subjects[subject].task == "reaching") {
    plan_reach(o, rng, plan);
  } else {
    plan_speech(o, imagined || o.subjects[subject].task == "imagined_speech", rng, plan);
  }
  return plan;
}

SpeechPatterns speech_patterns(const SynthOptions& o) {
  SpeechPatterns p;
  p.dim = o.latent_dim;
  p.phoneme = pattern_table(o, kSilenceId + 1, kPhonemePattern, 1);
  p.previous = pattern_table(o, kSilenceId + 1, kContextPattern, 0);
  p.next = pattern_table(o, kSilenceId + 1, kContextPattern, 1);
  p.position = pattern_table(o, 4, kPositionPattern, 0);
  return p;
}

std::vector<double> label_drive(const SynthOptions& o, const SpeechPatterns& patterns,
                                const TrialPlan& plan, std::size_t i) {
  const int dim = patterns.dim;
  std::vector<double> u(static_cast<std::size_t>(dim), 0.0);
  const int driven = plan.driven[i];
  if (driven == 0) return u;
  const double* own = patterns.row(patterns.phoneme, driven);
  if (plan.phonemes[i] == kSilenceId) return std::vector<double>(own, own + dim);
  const double a = o.coarticulation.neighbour, b = o.coarticulation.position;
  const int previous = i > 0 ? plan.phonemes[i - 1] : 0;
  const int next = i + 1 < plan.phonemes.size() ? plan.phonemes[i + 1] : 0;
  const double* pr = patterns.row(patterns.previous, previous);
  const double* nx = patterns.row(patterns.next, next);
  const double* po = patterns.row(patterns.position, plan.position[i]);
  const double norm = std::sqrt(1.0 + a * a + b * b);
  for (int j = 0; j < dim; ++j)
    u[j] = (own[j] + a * (pr[j] + nx[j]) / std::sqrt(2.0) + b * po[j]) / norm;
  return u;
}

std::vector<double> speech_drive(const SynthOptions& o, const SpeechPatterns& patterns,
                                 const TrialPlan& plan) {
  const int dim = patterns.dim;
  std::vector<double> drive(static_cast<std::size_t>(plan.bins) * dim, 0.0);
  const int blend = o.coarticulation.blend_bins;
  std::vector<double> current, next = label_drive(o, patterns, plan, 0);
  int t = plan.lead_bins;
  for (std::size_t i = 0; i < plan.phonemes.size(); ++i) {
    current = next;
    next = i + 1 < plan.phonemes.size() ? label_drive(o, patterns, plan, i + 1)
                                        : std::vector<double>(static_cast<std::size_t>(dim), 0.0);
    const int frames = plan.frames[i];
    const int ramp_from = std::max(1, frames - blend);  // the first bin is always its own
    for (int f = 0; f < frames; ++f, ++t) {
      const double lambda =
          f >= ramp_from ? static_cast<double>(f - ramp_from + 1) / (frames - ramp_from + 1) : 0.0;
      double* d = drive.data() + static_cast<std::size_t>(t) * dim;
      for (int j = 0; j < dim; ++j)
        d[j] = plan.amplitude * ((1.0 - lambda) * current[j] + lambda * next[j]);
    }
  }
  return drive;
}

std::vector<double> reach_drive(const SynthOptions& o, const TrialPlan& plan) {
  const int dim = o.latent_dim;
  Rng shared(static_cast<std::uint64_t>(o.seed), {kReach});
  std::vector<double> map(static_cast<std::size_t>(dim) * 2);
  for (double& w : map) w = shared.normal();
  const double angle = 2.0 * M_PI * plan.reach_target / 8.0;
  const double width = plan.bins * 0.15;
  std::vector<double> drive(static_cast<std::size_t>(plan.bins) * dim);
  for (int t = 0; t < plan.bins; ++t) {
    const double speed = std::exp(-0.5 * std::pow((t - plan.reach_centre) / width, 2));
    const double vx = speed * std::cos(angle), vy = speed * std::sin(angle);
    for (int j = 0; j < dim; ++j)
      drive[static_cast<std::size_t>(t) * dim + j] = map[2 * j] * vx + map[2 * j + 1] * vy;
  }
  return drive;
}

std::pair<int, int> speech_span(const TrialPlan& plan) {
  int end = plan.lead_bins;
  for (int f : plan.frames) end += f;
  return {plan.lead_bins, end};
}

DriveGains calibrate_gains(const SynthOptions& o, const LatentSystem& system,
                           const SpeechPatterns& patterns) {
  const double f = o.dynamics.input_fraction;
  double speech = 0.0, speech_n = 0.0, reach = 0.0, reach_n = 0.0;
  for (int i = 0; i < kCalibrationTrials; ++i) {
    Rng rng(static_cast<std::uint64_t>(o.seed), {kCalibration, 0, static_cast<std::uint64_t>(i)});
    TrialPlan plan;
    plan_speech(o, false, rng, plan);
    const auto parts = simulate_latents(system, speech_drive(o, patterns, plan), plan.bins, rng);
    const auto [begin, end] = speech_span(plan);
    speech += second_moment(parts.input, system.dim, begin, end, speech_n);
    TrialPlan reaching;
    plan_reach(o, rng, reaching);
    const auto moves = simulate_latents(system, reach_drive(o, reaching), reaching.bins, rng);
    reach += second_moment(moves.input, system.dim, 0, reaching.bins, reach_n);
  }
  // input variance v * gain^2 against the ongoing part's 1: gain^2 = f / (1 - f) / v.
  DriveGains gains;
  gains.speech = std::sqrt(f / (1.0 - f) / (speech / speech_n));
  gains.reach = std::sqrt(f / (1.0 - f) / (reach / reach_n));
  return gains;
}

ElectrodeTuning electrode_tuning(const SynthOptions& o, std::size_t subject, std::size_t session,
                                 std::size_t week, int electrodes) {
  const int k = o.latent_dim;
  const double scale = 1.0 / std::sqrt(static_cast<double>(k));
  ElectrodeTuning out;
  Rng readout(static_cast<std::uint64_t>(o.seed), {kSubjectReadout, subject});
  out.baseline.resize(static_cast<std::size_t>(electrodes));
  out.loading.resize(static_cast<std::size_t>(electrodes) * k);
  for (auto& b : out.baseline) b = std::log(o.base_rate_hz) + 0.5 * readout.normal();
  for (double& w : out.loading) w = scale * readout.normal();
  const double turn = o.drift.tuning, keep = std::sqrt(1.0 - turn * turn);
  for (std::size_t w = 1; w <= week; ++w) {
    Rng step(static_cast<std::uint64_t>(o.seed), {kTuningDrift, subject, w});
    for (double& l : out.loading) l = keep * l + turn * scale * step.normal();
  }
  Rng day(static_cast<std::uint64_t>(o.seed), {kSessionDrift, subject, session});
  for (int e = 0; e < electrodes; ++e) {
    out.gain.push_back(std::exp(o.drift.gain_sd * day.normal()));
    out.offset.push_back(o.drift.offset_sd * day.normal());
    out.dropped.push_back(day.uniform() < o.dropped_fraction);
  }
  return out;
}

Generator::Generator(const SynthOptions& o, double bin_s)
    : options_(o),
      system_(latent_system(o, bin_s)),
      patterns_(speech_patterns(o)),
      gains_(calibrate_gains(o, system_, patterns_)) {}

LatentParts Generator::latents(const TrialPlan& plan, bool speech, bool imagined,
                               Rng& noise) const {
  auto drive = speech ? speech_drive(options_, patterns_, plan) : reach_drive(options_, plan);
  const double gain =
      speech ? gains_.speech * (imagined ? options_.imagined.gain : 1.0) : gains_.reach;
  for (double& d : drive) d *= gain;
  return simulate_latents(system_, drive, plan.bins, noise);
}

}  // namespace neuroscale::io::v2
