// The synthetic fMRI corpus (docs/fmri-format.md, "The synthetic corpus"): stories whose
// texts follow from the seed, spoken by libespeak-ng (audio and phoneme timing), heard by
// participants whose responses come from a hidden encoding model with known ground truth:
// auditory features (auditory_features.h) and articulatory features of the phonemes
// (phonetic_features.h), each through SPM's HRF, sampled at the TRs, mapped to one shared
// voxel space by shared weights mixed with participant-specific ones, the two groups'
// shares of the signal variance set by `phonetic_weight`, plus AR(1) noise whose share
// varies over voxels (some voxels are pure noise) and participants; z-scored per story and
// voxel like the LeBel files. The test story has repeats (independent noise) and its
// responses are their mean. Serial; a file is reproducible from a fresh process (espeak-ng's
// output depends slightly on what the process spoke before: espeak_engine.h).
#pragma once

#include <ATen/ATen.h>

#include <functional>
#include <string>
#include <vector>

#include "io/fmri/fmri_writer.h"
#include "io/speech/speech_index.h"
#include "io/synth/synth_fmri_options.h"

namespace neuroscale::io {

inline constexpr double kSynthFmriSampleRate = 16000;

struct SynthStoryPlan {
  std::string name;   ///< story01, story02, ...
  std::string split;  ///< story01: test, story02: val, the others train
  std::string text;   ///< words of the built-in vocabulary, in sentences
  std::string voice;  ///< espeak-ng voice
  int words_per_minute = 160;
};

// The stories' names, splits, texts, voices and rates (cheap; no audio).
std::vector<SynthStoryPlan> plan_synth_fmri_stories(const SynthFmriOptions& options);

// Response rows of a story of `samples` audio samples: TR k covers [k tr_s, (k+1) tr_s) of
// the audio; rows are the TRs from `trim_start_trs` whose end lies within the audio, at
// their middles (as the LeBel tr_times: trigger time + tr/2).
std::vector<double> synth_tr_times(std::int64_t samples, double sample_rate, double tr_s,
                                   int trim_start_trs);

// The hidden model's voxel side. F = 2 * bands auditory features, then the 20 phonetic ones.
struct SynthFmriModel {
  at::Tensor shared_weights;                ///< [F, V]
  at::Tensor voxel_signal_fraction;         ///< [V], 0 for noise voxels
  std::vector<at::Tensor> weights;          ///< per participant [F, V]
  std::vector<at::Tensor> signal_fraction;  ///< per participant [V]: voxel fraction x quality
};

// Draws the weights (each group's rows N(0, 1/group size); participants mix the shared map
// with their own) and scales each group's rows per voxel so that, over the rows of
// `features` (every story's [rows, F], stacked), the auditory part of features x weights
// has variance 1 - phonetic_weight and the phonetic part phonetic_weight.
SynthFmriModel make_synth_fmri_model(const SynthFmriOptions& options,
                                     const std::vector<at::Tensor>& features);

// The hidden features of a story: [frames, F] at 10 Hz, the auditory ones of `audio`, then
// the phonetic ones of `phonemes` (samples at kSynthFmriSampleRate).
at::Tensor synth_fmri_frame_features(const SynthFmriOptions& options,
                                     const std::vector<float>& audio,
                                     const std::vector<PhonemeSegment>& phonemes);

// One participant's data for one story given its hidden features [rows, F].
struct SynthStoryResponses {
  at::Tensor signal;     ///< [rows, V] noiseless signal, z-scored per voxel
  at::Tensor responses;  ///< [rows, V] float32 (the repeats' mean for the test story)
  at::Tensor repeats;    ///< [R, rows, V] for the test story, else undefined
};
SynthStoryResponses synth_story_responses(const SynthFmriOptions& options,
                                          const SynthFmriModel& model, std::size_t participant,
                                          std::size_t story, const at::Tensor& features,
                                          bool with_repeats);

// Generates the whole corpus and writes it to `path` through FmriWriter, with the ground
// truth under /ground_truth. `progress(done, total)` counts stories spoken and
// participants generated.
void write_synth_fmri(const SynthFmriOptions& options, const std::string& path, bool overwrite,
                      const std::string& provenance,
                      const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace neuroscale::io
