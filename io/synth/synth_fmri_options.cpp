#include "io/synth/synth_fmri_options.h"

#include <cstdio>

#include "core/check.h"
#include "io/synth/espeak_engine.h"

namespace neuroscale::io {

void describe(ConfigVisitor& v, SynthFmriOptions& o) {
  v.value("seed", o.seed,
          Field("random seed; the file is a pure function of the config").at_least(0));
  v.value("stories", o.stories,
          Field("stories (story01: test, story02: val, the rest train)").range(3, 1000));
  v.value("min_story_s", o.min_story_s,
          Field("shortest story in seconds of speech").range(20, 3600));
  v.value("max_story_s", o.max_story_s,
          Field("longest story in seconds of speech").range(20, 3600));
  v.value("min_wpm", o.min_wpm, Field("slowest speaking rate (words per minute)").range(80, 450));
  v.value("max_wpm", o.max_wpm, Field("fastest speaking rate (words per minute)").range(80, 450));
  v.value("voices", o.voices,
          Field("espeak-ng voices, one per story in turn (espeak-ng --voices)").non_empty());
  v.value("tr_s", o.tr_s, Field("repetition time of the responses (s)").range(0.5, 5));
  v.value("trim_start_trs", o.trim_start_trs,
          Field("first TRs of each story without a response row").range(0, 100));
  v.value("voxels", o.voxels, Field("voxels of the shared voxel space").range(1, 1000000));
  v.value("bands", o.bands, Field("frequency bands of the hidden auditory features").range(2, 64));
  v.value("phonetic_weight", o.phonetic_weight,
          Field("share of the signal variance from the phonetic features (0: auditory only)")
              .range(0, 1));
  v.value("train_participants", o.train_participants,
          Field("participants with role train").range(1, 99));
  v.value("held_out_participants", o.held_out_participants,
          Field("participants with role held_out").range(0, 99));
  v.value("test_repeats", o.test_repeats,
          Field("repeated presentations of the test story").range(2, 100));
  v.value("noise_voxel_fraction", o.noise_voxel_fraction,
          Field("fraction of voxels without signal").range(0, 0.9));
  v.value("min_signal_fraction", o.min_signal_fraction,
          Field("lowest signal variance fraction of a signal voxel").range(0, 1));
  v.value("max_signal_fraction", o.max_signal_fraction,
          Field("highest signal variance fraction of a signal voxel").range(0, 1));
  v.value("min_participant_quality", o.min_participant_quality,
          Field("lowest participant quality (scales the signal fractions)").range(0.05, 1));
  v.value("participant_specificity", o.participant_specificity,
          Field("weight of participant-specific voxel weights (0: identical for all)").range(0, 1));
  v.value("noise_ar1", o.noise_ar1, Field("lag-1 autocorrelation of the noise").range(0, 0.95));
}

void validate(const SynthFmriOptions& o, const std::string& source) {
  NS_CHECK_AS(ConfigError, o.min_story_s <= o.max_story_s, source, ": 'min_story_s' (",
              o.min_story_s, ") exceeds 'max_story_s' (", o.max_story_s, ")");
  NS_CHECK_AS(ConfigError, o.min_wpm <= o.max_wpm, source, ": 'min_wpm' (", o.min_wpm,
              ") exceeds 'max_wpm' (", o.max_wpm, ")");
  NS_CHECK_AS(ConfigError, o.min_signal_fraction <= o.max_signal_fraction, source,
              ": 'min_signal_fraction' (", o.min_signal_fraction,
              ") exceeds 'max_signal_fraction' (", o.max_signal_fraction, ")");
  // Rows need an audio clock past the trimmed TRs: the shortest story keeps >= 5 rows.
  NS_CHECK_AS(ConfigError, o.min_story_s >= (o.trim_start_trs + 5) * o.tr_s, source,
              ": 'min_story_s' (", o.min_story_s,
              ") leaves fewer than 5 response rows after 'trim_start_trs' (", o.trim_start_trs,
              ") TRs of ", o.tr_s, " s; expected min_story_s >= ", (o.trim_start_trs + 5) * o.tr_s);
  NS_CHECK_AS(ConfigError, o.train_participants + o.held_out_participants <= 99, source,
              ": 'train_participants' + 'held_out_participants' must be at most 99");
  const EspeakEngine engine;
  for (const auto& voice : o.voices) engine.check_voice(voice, source + ": 'voices': ");
}

std::vector<std::string> synth_fmri_participants(const SynthFmriOptions& o) {
  std::vector<std::string> names;
  for (int p = 0; p < o.train_participants + o.held_out_participants; ++p) {
    char name[16];
    std::snprintf(name, sizeof(name), "P%02d", p + 1);
    names.push_back(name);
  }
  return names;
}

}  // namespace neuroscale::io
