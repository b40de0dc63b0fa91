// Speech-model features for brain alignment: each window's feature is the last frame of the
// layer, or the mean of its last pool_frames frames, exactly as one forward pass of that window
// alone computes it (windows batched together give the same), and bad options are refused.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>

#include "core/encoding/speech_features.h"
#include "core/error.h"

namespace {

namespace ns = neuroscale;
using ns::encoding::SpeechFeatureOptions;
using ns::encoding::WindowOptions;

// The feature of every window by hand: the window alone through the model, then the mean of
// its last `pool` frames (all of them when it has fewer).
at::Tensor by_hand(ns::model::Wav2Vec2ModelImpl& model, const at::Tensor& audio,
                   const SpeechFeatureOptions& options, std::int64_t layer, std::int64_t pool) {
  torch::NoGradGuard no_grad;
  const auto windows = ns::encoding::feature_windows(audio.size(0), options.windows());
  std::vector<at::Tensor> rows;
  for (const auto& span : windows.spans) {
    const auto input =
        ns::model::normalize_waveform(audio.slice(0, span.begin, span.end).unsqueeze(0));
    const auto states = model.forward(input)[static_cast<std::size_t>(layer)][0];  // [T, H]
    const auto frames = states.size(0);
    const auto take = std::min(pool, frames);
    auto sum = torch::zeros({states.size(1)}, torch::kFloat);
    for (std::int64_t t = frames - take; t < frames; ++t) sum += states[t];
    rows.push_back(sum / static_cast<double>(take));
  }
  return torch::stack(rows);
}

TEST(SpeechFeatures, PooledFramesEqualEachWindowAloneAveragedByHand) {
  torch::manual_seed(7);
  ns::model::Wav2Vec2Model model(ns::model::Wav2Vec2Options::tiny());
  model->eval();
  const auto audio = torch::randn({16000 + 3200}) * 0.1;  // 1.2 s
  SpeechFeatureOptions options;
  options.windows(WindowOptions().stride_seconds(0.2).context_seconds(0.5)).layers({0, 2}).batch(3);
  // Windows: 6, the first three shorter than the rest (0.2, 0.4 and 0.6 s of audio: 9, 19 and
  // 29 frames; each its own batch), so pooling 12 frames averages all of the first window's 9;
  // the three full windows (0.7 s, 34 frames) run as one batch.
  for (const std::int64_t pool : {1, 4, 12}) {
    options.pool_frames(pool);
    const auto got = ns::encoding::speech_features(*model, audio, options);
    ASSERT_EQ(got.times.size(0), 6);
    for (std::size_t l = 0; l < 2; ++l) {
      const auto want = by_hand(*model, audio, options, options.layers()[l], pool);
      EXPECT_TRUE(torch::allclose(got.layers[l], want, 1e-5, 1e-5))
          << "pool " << pool << ", layer " << options.layers()[l] << ": max difference "
          << (got.layers[l] - want).abs().max().item<float>();
    }
  }
  // Pooling changes the features (the test would pass vacuously otherwise).
  options.pool_frames(1);
  const auto last = ns::encoding::speech_features(*model, audio, options);
  options.pool_frames(4);
  const auto mean = ns::encoding::speech_features(*model, audio, options);
  EXPECT_GT((last.layers[1] - mean.layers[1]).abs().max().item<float>(), 1e-3);
}

TEST(SpeechFeatures, RefusesAPoolBelowOneFrame) {
  ns::model::Wav2Vec2Model model(ns::model::Wav2Vec2Options::tiny());
  SpeechFeatureOptions options;
  options.windows(WindowOptions().stride_seconds(0.2).context_seconds(0.5))
      .layers({1})
      .pool_frames(0);
  try {
    ns::encoding::speech_features(*model, torch::randn({16000}), options);
    FAIL() << "pool_frames 0 was accepted";
  } catch (const ns::UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("pool_frames must be >= 1, got 0"), std::string::npos)
        << error.what();
  }
}

}  // namespace
