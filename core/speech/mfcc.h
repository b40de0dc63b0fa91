// Mel-frequency cepstral coefficients with their deltas, the acoustic features whose k-means
// clusters are the first targets of HuBERT's masked prediction (docs/speech-pretraining.md).
// One frame per `hop` samples over `window` samples: with the defaults (400 and 320 at
// 16 kHz) frame t covers exactly the samples of the wav2vec2/HuBERT encoder's frame t, so
// frame labels and encoder frames correspond one to one.
//
// Per frame: the frame's mean removed, pre-emphasis (x[n] - a x[n-1], x[-1] = x[0]), a
// Hamming window, the power spectrum of an `fft`-point FFT, `mel_bands` triangular filters
// equally spaced on the HTK mel scale (2595 log10(1 + f / 700)) between low_hz and high_hz,
// the natural log (floored at 1e-10), the orthonormal DCT-II, the first `coefficients`
// coefficients, liftered by 1 + L/2 sin(pi n / L). Then `delta_order` orders of deltas, each
// the regression over +-delta_window frames (sum_n n (c[t+n] - c[t-n]) / (2 sum_n n^2), edge
// frames repeated), appended: 13 x 3 = 39 values per frame by default, as HuBERT's.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <cstdint>

namespace neuroscale::speech {

struct MfccOptions {
  // Throws ConfigError naming the first field out of range or inconsistent.
  void validate() const;
  // Values per frame: coefficients * (1 + delta_order).
  std::int64_t dim() const { return coefficients_ * (1 + delta_order_); }
  // Frames of `samples` samples: (samples - window) / hop + 1, 0 when shorter than a window.
  std::int64_t frames(std::int64_t samples) const;

  /// Hz of the audio
  TORCH_ARG(double, sample_rate) = 16000;
  /// samples per frame (the encoder's receptive field)
  TORCH_ARG(std::int64_t, window) = 400;
  /// samples between frames (the encoder's stride)
  TORCH_ARG(std::int64_t, hop) = 320;
  /// FFT length, >= window
  TORCH_ARG(std::int64_t, fft) = 512;
  /// triangular mel filters
  TORCH_ARG(std::int64_t, mel_bands) = 40;
  /// lowest and highest filter edge (Hz); high_hz <= sample_rate / 2
  TORCH_ARG(double, low_hz) = 20;
  TORCH_ARG(double, high_hz) = 7600;
  /// cepstral coefficients kept (c0 included)
  TORCH_ARG(std::int64_t, coefficients) = 13;
  /// pre-emphasis coefficient (0: none)
  TORCH_ARG(double, preemphasis) = 0.97;
  /// cepstral lifter L (0: none)
  TORCH_ARG(double, lifter) = 22;
  /// frames on each side of a delta's regression
  TORCH_ARG(std::int64_t, delta_window) = 2;
  /// orders of deltas appended (0: the coefficients alone)
  TORCH_ARG(std::int64_t, delta_order) = 2;
};

// The filterbank [mel_bands, fft / 2 + 1], float64: filter b rises linearly from mel point b
// to b + 1 and falls to b + 2, evaluated at each FFT bin's frequency k * sample_rate / fft.
at::Tensor mel_filterbank(const MfccOptions& options);

// MFCCs and deltas of `audio` ([samples], floating point, CPU): [frames(samples), dim()]
// float32. Audio shorter than one window gives [0, dim()].
at::Tensor mfcc(const at::Tensor& audio, const MfccOptions& options = {});

}  // namespace neuroscale::speech
