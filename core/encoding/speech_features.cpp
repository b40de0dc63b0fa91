#include "core/encoding/speech_features.h"

#include <torch/torch.h>

#include <algorithm>

#include "core/check.h"

namespace neuroscale::encoding {

SpeechFeatures speech_features(model::Wav2Vec2ModelImpl& model, const at::Tensor& audio,
                               const SpeechFeatureOptions& options,
                               const std::function<void(std::int64_t)>& progress) {
  NS_CHECK_AS(UsageError, audio.dim() == 1, "speech features: audio must be [samples], got ",
              audio.sizes());
  NS_CHECK_AS(UsageError, options.batch() >= 1, "speech features: batch must be >= 1, got ",
              options.batch());
  NS_CHECK_AS(UsageError, !options.layers().empty(), "speech features: no layer requested");
  NS_CHECK_AS(UsageError, options.pool_frames() >= 1,
              "speech features: pool_frames must be >= 1, got ", options.pool_frames());
  std::int64_t deepest = 0;
  for (const auto layer : options.layers()) {
    NS_CHECK_AS(UsageError, layer >= 0 && layer <= model.options.layers(),
                "speech features: layer ", layer, " is outside 0..", model.options.layers(),
                " of the backbone");
    deepest = std::max(deepest, layer);
  }
  const auto windows = feature_windows(audio.size(0), options.windows());
  const auto n = static_cast<std::int64_t>(windows.spans.size());
  const auto device = model.parameters().front().device();
  SpeechFeatures features;
  features.times = windows.end_times;
  for (std::size_t l = 0; l < options.layers().size(); ++l) {
    features.layers.push_back(at::empty({n, model.options.hidden()}, at::kFloat));
  }
  at::NoGradGuard no_grad;
  const auto wave = audio.to(at::kFloat).contiguous();
  std::int64_t first = 0;
  while (first < n) {
    // A batch: consecutive windows of the same length (all full windows after the first
    // context_seconds of the story have one length).
    const auto length = windows.spans[static_cast<std::size_t>(first)].length();
    std::int64_t last = first + 1;
    while (last < n && last - first < options.batch() &&
           windows.spans[static_cast<std::size_t>(last)].length() == length) {
      ++last;
    }
    std::vector<at::Tensor> rows;
    for (std::int64_t k = first; k < last; ++k) {
      const auto& span = windows.spans[static_cast<std::size_t>(k)];
      rows.push_back(wave.slice(0, span.begin, span.end));
    }
    auto input = at::stack(rows);
    if (options.normalize_audio()) input = model::normalize_waveform(input);
    const auto hidden = model.forward(input.to(device), deepest);
    for (std::size_t l = 0; l < options.layers().size(); ++l) {
      const auto& states = hidden[static_cast<std::size_t>(options.layers()[l])];  // [B, T, H]
      const auto pooled = std::min(options.pool_frames(), states.size(1));
      const auto feature = pooled == 1 ? states.select(1, -1)
                                       : states.narrow(1, states.size(1) - pooled, pooled).mean(1);
      features.layers[l].slice(0, first, last).copy_(feature.to(at::kCPU, at::kFloat));
    }
    first = last;
    if (progress) progress(first);
  }
  return features;
}

}  // namespace neuroscale::encoding
