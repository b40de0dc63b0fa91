// Training samples of brain-tuning as the reference builds them (multi-brain-tuning
// src/dataset.py, FMRIStory): response row i of a story is paired with the 10 s of audio
// that end at sample_rate * trunc(tr_times[i] + tr_s / 2): the TR's own 2 s clip plus 8 s
// of context before it (five 2 s clips, `make_delayed` with delays 0..4). The reference
// takes t = tr_times + 1 and int(t), i.e. truncation towards zero, kept here.
// Windows are always exactly window_samples long: zeros on the left before the audio
// starts, and zeros for any part past the audio's end (a row whose TR outlasts the sound).
// Pure functions.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

#include "io/fmri/fmri_index.h"

namespace neuroscale::io {

inline constexpr double kStimulusWindowS = 10.0;  ///< 2 s current TR + 8 s context (reference)

// round(window_s * sample_rate): 160000 for 10 s at 16 kHz.
std::int64_t window_samples(double window_s, double sample_rate);

// Exclusive end sample of row `row`'s window: sample_rate * trunc(tr_times[row] + tr_s/2).
// Throws DataError for a row outside the story.
std::int64_t stimulus_end_sample(const FmriStory& story, std::int64_t row, double tr_s,
                                 double sample_rate);

// audio[end_sample - window_samples, end_sample) as [window_samples] float32, zero where
// the range lies outside [0, audio.size(0)). `audio` is [samples].
at::Tensor stimulus_window(const at::Tensor& audio, std::int64_t end_sample,
                           std::int64_t window_samples);

// The windows of `rows` of `story`: [rows.size(), window_samples] float32.
at::Tensor stimulus_windows(const at::Tensor& audio, const FmriStory& story,
                            const std::vector<std::int64_t>& rows, double tr_s, double sample_rate,
                            std::int64_t window_samples);

}  // namespace neuroscale::io
