// The hidden encoding model's stimulus side, used by the synthetic fMRI generator: audio
// features at 10 Hz (log energies of frequency bands and their temporal modulation),
// convolved with SPM's canonical haemodynamic response and sampled at the TR times.
// Pure functions of their inputs (double precision).
#pragma once

#include <ATen/ATen.h>

#include <vector>

namespace neuroscale::io {

inline constexpr double kFeatureRateHz = 10.0;  ///< frames per second of the auditory features

// [frames, 2 * bands] at 10 Hz (frame k centred on k / 10 s): columns [0, bands) are the
// log energies of `bands` log-spaced bands from 100 Hz to 7.6 kHz (200 ms Hann windows),
// columns [bands, 2 * bands) their temporal modulation (|frame-to-frame change| averaged
// over the last second). `audio` is mono at `sample_rate`. Float64.
at::Tensor auditory_features(const std::vector<float>& audio, double sample_rate, int bands);

// SPM's canonical double-gamma HRF (spm_hrf.m defaults: peak delay 6 s, undershoot delay
// 16 s, dispersions 1 s, undershoot ratio 1/6, onset 0, length 32 s) sampled every `dt`
// seconds and normalised to unit sum.
std::vector<double> canonical_hrf(double dt);

// The features' responses at `tr_times`: each column z-scored over the story's frames,
// convolved causally with canonical_hrf(0.1), linearly interpolated at the times, and
// z-scored again over the rows. [rows, features] float64.
at::Tensor features_at_tr_times(const at::Tensor& features, const std::vector<double>& tr_times);

}  // namespace neuroscale::io
