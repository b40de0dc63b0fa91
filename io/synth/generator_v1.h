// Generator 1 (`generator: 1`, the default): each phoneme pushes the shared latents towards a
// fixed pattern, held for 3-7 bins; reaching drives them by velocity. Kept unchanged so that
// its corpora, and the experiments on them, stay reproducible.
#pragma once

#include <cstdint>
#include <vector>

#include "core/random.h"
#include "io/synth/electrode_tuning.h"
#include "io/synth/synth_options.h"
#include "io/synth/trial_plan.h"

namespace neuroscale::io::v1 {

TrialPlan plan_trial(const SynthOptions& o, std::size_t subject, std::size_t session,
                     std::size_t trial);

// Latent trajectory [bins, latent_dim] of one trial and the label driving each bin.
std::vector<double> latent_trajectory(const SynthOptions& o, const TrialPlan& plan, bool speech,
                                      Rng& noise, std::uint64_t reach_seed,
                                      std::vector<int>& frame_labels);

// The electrodes of `subject` on its session `session`: random loadings, fixed across days;
// gain (sd 0.1 in log) and offset (sd 0.2) drawn per day.
ElectrodeTuning electrode_tuning(const SynthOptions& o, std::size_t subject, std::size_t session,
                                 int electrodes);

}  // namespace neuroscale::io::v1
