// Generator 2 (`generator: 2`): what makes decoding hard in real Utah-array recordings,
// each part a config key (docs/corpus-format.md, "Generator 2").
//  - The task drives a shared rotational dynamical system (latent_dynamics.h) whose ongoing
//    activity carries most of the latent variance (dynamics.input_fraction).
//  - A phoneme's drive depends on its neighbours and its position in the word
//    (coarticulation.*), and ramps into the next phoneme's.
//  - Trials vary: speaking rate and phoneme durations (time warping), drive amplitude, and
//    phonemes that drive nothing or another phoneme's pattern (variability.*).
//  - Imagined speech drives the same system more weakly, over a small vocabulary.
//  - Monkeys' reaching drives the same system through a velocity map.
// Electrode-level drift (tuning, gain, offset) is applied by the session generator
// (synth_corpus.cpp); the planning and drive here are pure functions of the config.
#pragma once

#include <cstdint>
#include <vector>

#include "core/random.h"
#include "io/synth/electrode_tuning.h"
#include "io/synth/latent_dynamics.h"
#include "io/synth/synth_options.h"
#include "io/synth/trial_plan.h"

namespace neuroscale::io::v2 {

// The plan of trial `trial` of session `session` (the subject's own numbering, imagined
// sessions after attempted ones) of `subject`.
TrialPlan plan_trial(const SynthOptions& o, std::size_t subject, std::size_t session,
                     std::size_t trial, bool imagined);

// The drive patterns every subject shares (rows of latent_dim values, unit variance per
// value): phoneme[id] for ids 0..40 (0 unused), the context patterns of a previous and a
// next label (id 0: the sentence's edge), and the position-in-word patterns.
struct SpeechPatterns {
  int dim = 0;
  std::vector<double> phoneme, previous, next, position;
  const double* row(const std::vector<double>& table, int id) const {
    return table.data() + static_cast<std::size_t>(id) * static_cast<std::size_t>(dim);
  }
};
SpeechPatterns speech_patterns(const SynthOptions& o);

// The unit-gain drive of label `i` of a speech plan [latent_dim]: its driven pattern with
// the neighbours' and the position's contexts, normalised so that the weights change its
// direction, not its size; zeros when the label drives nothing.
std::vector<double> label_drive(const SynthOptions& o, const SpeechPatterns& patterns,
                                const TrialPlan& plan, std::size_t i);
// The drive of a speech trial [bins, latent_dim]: each label's, ramped into the next over
// coarticulation.blend_bins, times the trial's amplitude (without the calibrated gain).
std::vector<double> speech_drive(const SynthOptions& o, const SpeechPatterns& patterns,
                                 const TrialPlan& plan);
// The drive of a reaching trial [bins, latent_dim]: velocity (bell-shaped speed towards the
// plan's target) through a map shared by every monkey.
std::vector<double> reach_drive(const SynthOptions& o, const TrialPlan& plan);

// The gains that make the input explain dynamics.input_fraction of the latent variance
// (second moment over speech bins of attempted-speech trials, over all bins of reaching
// trials; the ongoing part has unit variance), estimated on 256 calibration trials.
struct DriveGains {
  double speech = 1.0, reach = 1.0;
};
DriveGains calibrate_gains(const SynthOptions& o, const LatentSystem& system,
                           const SpeechPatterns& patterns);

// The span of speech in a plan: [lead_bins, end of its last label).
std::pair<int, int> speech_span(const TrialPlan& plan);

// The electrodes of `subject` on its session `session`, in week `week`: the subject's
// loadings turned once per week (each row l <- sqrt(1 - t^2) l + t n, n a fresh draw of the
// loadings' distribution, t = drift.tuning: the correlation with week 0 falls as
// (1 - t^2)^(week / 2)), and the day's gain, offset (drift.*) and dropped electrodes.
ElectrodeTuning electrode_tuning(const SynthOptions& o, std::size_t subject, std::size_t session,
                                 std::size_t week, int electrodes);

// Everything a session's trials share: the dynamical system, the patterns and the gains.
class Generator {
 public:
  Generator(const SynthOptions& o, double bin_s);
  // One trial's latents by source: speech (attempted, or imagined with imagined.gain) or
  // reaching, driven at the calibrated gain; the ongoing part drawn from `noise`.
  LatentParts latents(const TrialPlan& plan, bool speech, bool imagined, Rng& noise) const;
  const LatentSystem& system() const { return system_; }
  const SpeechPatterns& patterns() const { return patterns_; }
  const DriveGains& gains() const { return gains_; }

 private:
  const SynthOptions& options_;
  LatentSystem system_;
  SpeechPatterns patterns_;
  DriveGains gains_;
};

}  // namespace neuroscale::io::v2
