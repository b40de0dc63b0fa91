// The causal sliding windows over a story's audio from which speech-model features are
// taken for brain alignment (docs/brain-alignment.md). Every `stride` samples a window
// ends; it reaches back `context + stride` samples, or to the first sample early in the
// story. As EMSL extract_speech_features.py (HuthLab/encoding-model-scaling-laws): windows
// end at stride, 2*stride, ... and only windows of at least `min_input_length` samples are
// kept; the feature of a window is the model's last frame and its timestamp the window end.
#pragma once

#include <ATen/ATen.h>

#include <torch/arg.h>

#include <cstdint>
#include <vector>

namespace neuroscale::encoding {

struct WindowOptions {
  /// audio sample rate in Hz (the speech models take 16 kHz)
  TORCH_ARG(std::int64_t, sample_rate) = 16000;
  /// seconds between window ends (EMSL --chunksz 100 ms)
  TORCH_ARG(double, stride_seconds) = 0.1;
  /// seconds of look-back before each stride (EMSL --contextsz 16000 ms)
  TORCH_ARG(double, context_seconds) = 16.0;
  /// shortest window in samples (EMSL speech_model_configs.json, wav2vec2: 400)
  TORCH_ARG(std::int64_t, min_input_length) = 400;
};

// Samples [begin, end) of one window.
struct SampleSpan {
  std::int64_t begin = 0;
  std::int64_t end = 0;
  std::int64_t length() const { return end - begin; }
};

struct FeatureWindows {
  std::vector<SampleSpan> spans;
  /// [n] float64: each window's end in seconds, the timestamp of its feature
  at::Tensor end_times;
};

// The windows over an audio of `samples` samples. Strides and context convert to samples
// with truncation, as int(seconds * rate) in the reference. Window k (k >= 1) ends at k *
// stride for every k * stride <= samples; the audio after the last full stride gets no
// window, as in the reference. Throws UsageError when no window fits.
FeatureWindows feature_windows(std::int64_t samples, const WindowOptions& options = {});

}  // namespace neuroscale::encoding
