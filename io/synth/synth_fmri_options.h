// Options of the synthetic fMRI corpus generator (`neuroscale synth --kind fmri`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/config/config_visitor.h"

namespace neuroscale::io {

struct SynthFmriOptions {
  std::int64_t seed = 1234;  ///< every value in the file follows from this seed
  int stories = 6;           ///< stories: story01 is the test story, story02 val, the rest train
  double min_story_s = 30;   ///< shortest story (target length of its text when spoken)
  double max_story_s = 60;   ///< longest story
  int min_wpm = 140;         ///< slowest speaking rate (espeak-ng -s, words per minute)
  int max_wpm = 185;         ///< fastest speaking rate
  std::vector<std::string> voices = {"en-us", "en-us+f3", "en-gb",
                                     "en-us+m3"};  ///< espeak-ng voices, cycled
  double tr_s = 2.0;                               ///< repetition time of the responses (s)
  int trim_start_trs = 5;              ///< first TRs of each story without a response row
  int voxels = 96;                     ///< V, one voxel space shared by every participant
  int bands = 16;                      ///< frequency bands of the hidden auditory features
  double phonetic_weight = 0.5;        ///< share of the signal variance from the 20 phonetic
                                       ///< features (the rest from the auditory ones)
  int train_participants = 3;          ///< participants P01.. with role train
  int held_out_participants = 2;       ///< participants after them with role held_out
  int test_repeats = 4;                ///< repeated presentations of the test story
  double noise_voxel_fraction = 0.25;  ///< voxels that carry no stimulus signal
  double min_signal_fraction = 0.1;    ///< signal variance fraction of the other voxels: uniform in
  double max_signal_fraction = 0.8;    ///< [min, max], scaled by each participant's quality
  double min_participant_quality = 0.6;  ///< a participant's signal fractions are the voxel's times
                                         ///< a quality uniform in [min, 1]
  double participant_specificity =
      0.3;                 ///< weight of participant-specific voxel weights (0: all share)
  double noise_ar1 = 0.3;  ///< lag-1 autocorrelation of the noise (fMRI noise is slow)
};

void describe(ConfigVisitor& v, SynthFmriOptions& o);

// Cross-field checks (ranges between keys) and that espeak-ng has every voice; throws
// ConfigError naming `source` and the key.
void validate(const SynthFmriOptions& o, const std::string& source);

// Participant names: P01, P02, ... (train first, then held out).
std::vector<std::string> synth_fmri_participants(const SynthFmriOptions& o);

}  // namespace neuroscale::io
