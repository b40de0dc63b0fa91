// Generator 2's shared latent dynamical system: rotations in planes, as population
// dynamics in motor cortex rotate (jPCA), damped and driven by noise so that the latents
// move on their own between and during behaviour:
//   latents = ongoing + response
//   ongoing[t+1]  = A ongoing[t] + sqrt(1 - decay^2) * e[t],   e ~ N(0, I)
//   response[t+1] = (input_decay / decay) A response[t] + input[t]
// A = Q R Q^T with R block-diagonal (plane j turns by 2 pi f_j per bin, scaled by `decay`)
// and Q a random rotation; the ongoing part then has unit stationary variance per
// dimension. The input is what the task drives (phonemes or reaching velocity), scaled by a
// gain calibrated so that its response explains `input_fraction` of the latent variance;
// the response turns with the same rotations but fades faster (input_decay), as
// articulation-locked activity does, while the ongoing activity lingers.
#pragma once

#include <vector>

#include "core/random.h"
#include "io/synth/synth_options.h"

namespace neuroscale::io {

struct LatentSystem {
  int dim = 0;
  std::vector<double> transition;        ///< A [dim, dim], row-major
  std::vector<double> input_transition;  ///< the same rotation at radius input_decay
  std::vector<double> plane_hz;          ///< rotation frequency of each plane (dim / 2)
  double decay = 0.0;
  double input_decay = 0.0;
  double noise_sd = 0.0;  ///< sqrt(1 - decay^2)
};

// The system of `options` (a pure function of seed, latent_dim and dynamics.*).
LatentSystem latent_system(const SynthOptions& options, double bin_s);

// One trial's latents, split by source: latents = input + ongoing, each [bins, dim]. `drive`
// [bins, dim] is the input injected at each bin; the ongoing part starts in its stationary
// distribution and is drawn from `noise`.
struct LatentParts {
  std::vector<double> input, ongoing;
  std::vector<double> latents() const;
};
LatentParts simulate_latents(const LatentSystem& system, const std::vector<double>& drive, int bins,
                             Rng& noise);

}  // namespace neuroscale::io
