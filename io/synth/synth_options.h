// Options of the synthetic cross-species corpus generator (`neuroscale synth`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/config/config_visitor.h"

namespace neuroscale::io {

struct SynthSubjectOptions {
  std::string name = "human-a";     ///< unique subject name
  std::string species = "human";    ///< human | monkey
  int electrodes = 128;             ///< recording electrodes (Utah arrays: 96 per array)
  std::string features = "tx+sbp";  ///< tx+sbp: crossings and spike-band power; tx: crossings only
  std::string task = "attempted_speech";  ///< attempted_speech | imagined_speech | reaching
  int sessions = 2;                       ///< recording days
  int trials_per_session = 8;             ///< trials per day

  int channels() const { return features == "tx+sbp" ? 2 * electrodes : electrodes; }
};

struct SynthOptions {
  std::int64_t seed = 1234;        ///< every value in the file follows from this seed
  std::string dtype = "float32";   ///< feature storage type: float32 | float16
  int latent_dim = 16;             ///< dimension of the shared latent dynamics
  double base_rate_hz = 20.0;      ///< mean firing rate of an electrode
  double dropped_fraction = 0.02;  ///< chance that an electrode carries no signal on a day
  double val_fraction = 0.1;       ///< fraction of trials in the val split
  double test_fraction = 0.1;      ///< fraction of trials in the test split
  int reach_min_bins = 40;         ///< shortest reaching trial (20 ms bins)
  int reach_max_bins = 100;        ///< longest reaching trial
  std::vector<SynthSubjectOptions> subjects = {
      {"human-a", "human", 128, "tx+sbp", "attempted_speech", 2, 8},
      {"monkey-a", "monkey", 96, "tx", "reaching", 2, 8},
  };
};

void describe(ConfigVisitor& v, SynthSubjectOptions& o);
void describe(ConfigVisitor& v, SynthOptions& o);

// Cross-field checks the schema cannot express (unique names, split fractions); throws
// ConfigError naming `source`.
void validate(const SynthOptions& o, const std::string& source);

}  // namespace neuroscale::io
