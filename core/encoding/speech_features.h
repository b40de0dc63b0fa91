// Layer features of a speech backbone for brain alignment (docs/brain-alignment.md): for each
// causal sliding window over a story (windows.h: 16 s of context, a window every 100 ms), the
// last frame of hidden_states[L] for each requested layer L, as EMSL's
// extract_speech_features.py, or the mean of its last `pool_frames` frames (at 50 frames a
// second, pool_frames = 50 x stride covers all the audio between window ends, so a coarse
// stride does not alias the features). Each window is normalised on its own first when the
// backbone's feature extractor does so. Windows of equal length run as one batch (the reference
// runs one at a time; the result is the same, as windows never attend to each other).
#pragma once

#include <ATen/ATen.h>
#include <torch/arg.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "core/encoding/windows.h"
#include "core/model/wav2vec2.h"

namespace neuroscale::encoding {

struct SpeechFeatureOptions {
  /// where windows end and how far they reach back
  TORCH_ARG(WindowOptions, windows) = {};
  /// hidden_states indices to keep (0: the embedding after the encoder's layer norm)
  TORCH_ARG(std::vector<std::int64_t>, layers) = {2, 5, 7, 8, 10, 12};
  /// windows per forward pass
  TORCH_ARG(std::int64_t, batch) = 16;
  /// a window's feature: the mean of its last N frames (1: the last frame, the reference;
  /// a window with fewer frames averages all of them)
  TORCH_ARG(std::int64_t, pool_frames) = 1;
  /// per-window zero mean and unit variance (the feature extractor's do_normalize)
  TORCH_ARG(bool, normalize_audio) = true;
};

struct SpeechFeatures {
  at::Tensor times;                ///< [n] float64: window end times (s)
  std::vector<at::Tensor> layers;  ///< per requested layer, [n, hidden] float32 on the CPU
};

// Features of `audio` ([samples] float32, at windows.sample_rate) from `model` (on any
// device; evaluated without gradients, in its current train/eval mode). `progress` is called
// with the number of windows done after each batch. Throws UsageError for a layer outside
// 0..model layers or a pool_frames below 1.
SpeechFeatures speech_features(model::Wav2Vec2ModelImpl& model, const at::Tensor& audio,
                               const SpeechFeatureOptions& options,
                               const std::function<void(std::int64_t)>& progress = {});

}  // namespace neuroscale::encoding
