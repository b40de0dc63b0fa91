// How one session's electrodes read the shared latents: log-rate = baseline + offset + gain *
// (loading . latents), Poisson crossings from the rate, nothing from a dropped electrode.
// Baselines and loadings belong to the subject (generator 2 turns the loadings week by week);
// gains, offsets and dropped electrodes to the day.
#pragma once

#include <vector>

namespace neuroscale::io {

struct ElectrodeTuning {
  std::vector<double> baseline;  ///< [electrodes] log-rate
  std::vector<double> loading;   ///< [electrodes, latent_dim]
  std::vector<double> gain, offset;
  std::vector<char> dropped;
};

}  // namespace neuroscale::io
