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
  int imagined_sessions = 0;              ///< generator 2, speech: extra days of imagined speech

  int channels() const { return features == "tx+sbp" ? 2 * electrodes : electrodes; }
};

// Generator 2's realism (docs/corpus-format.md, "Generator 2"): what makes decoding a new
// participant from few labels hard, each with a default from what is known of Utah-array
// speech recordings.
struct SynthDynamicsOptions {
  double input_fraction = 0.3;  ///< share of the latents' variance the task's input drives
  double decay = 0.96;          ///< per-bin radius of the ongoing rotations (0.5 s time constant)
  double input_decay = 0.7;     ///< per-bin radius of the input's response (56 ms)
  double min_hz = 0.5;          ///< slowest rotation of the latent planes
  double max_hz = 4.0;          ///< fastest rotation
};
struct SynthCoarticulationOptions {
  double neighbour = 0.5;  ///< weight of the previous and next phonemes' context patterns
  double position = 0.3;   ///< weight of the word-position pattern (initial, medial, final, alone)
  int blend_bins = 2;      ///< bins over which the drive ramps into the next phoneme
};
struct SynthVariabilityOptions {
  double rate_sd = 0.2;        ///< sd of a trial's log speaking rate (time warping)
  double duration_sd = 0.25;   ///< sd of each phoneme's log duration around its mean
  double amplitude_sd = 0.25;  ///< sd of a trial's log drive amplitude
  double missing = 0.05;       ///< chance that a phoneme drives nothing
  double substituted = 0.05;   ///< chance that a phoneme drives another phoneme's pattern
};
struct SynthDriftOptions {
  double tuning = 0.3;     ///< per session: share of each electrode's tuning replaced (sine)
  double gain_sd = 0.1;    ///< sd of each electrode's log gain per day
  double offset_sd = 0.2;  ///< sd of each electrode's log-rate offset per day
};
struct SynthImaginedOptions {
  double gain = 0.4;  ///< imagined speech's drive against attempted speech's
  int words = 20;     ///< its vocabulary: the most frequent words
};

struct SynthOptions {
  std::int64_t seed = 1234;  ///< every value in the file follows from this seed
  int generator = 1;         ///< 1: the original generator; 2: realistic dynamics and variability
  std::string dtype = "float32";   ///< feature storage type: float32 | float16
  int latent_dim = 16;             ///< dimension of the shared latent dynamics
  double base_rate_hz = 20.0;      ///< mean firing rate of an electrode
  double dropped_fraction = 0.02;  ///< chance that an electrode carries no signal on a day
  double val_fraction = 0.1;       ///< fraction of trials in the val split
  double test_fraction = 0.1;      ///< fraction of trials in the test split
  int reach_min_bins = 40;         ///< shortest reaching trial (20 ms bins)
  int reach_max_bins = 100;        ///< longest reaching trial
  int words = 248;                 ///< generator 2: vocabulary size (most frequent first)
  int min_words = 3;               ///< generator 2: shortest sentence
  int max_words = 8;               ///< generator 2: longest sentence
  SynthDynamicsOptions dynamics;   ///< generator 2
  SynthCoarticulationOptions coarticulation;
  SynthVariabilityOptions variability;
  SynthDriftOptions drift;
  SynthImaginedOptions imagined;
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
