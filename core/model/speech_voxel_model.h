// The brain-tuned speech model of multi-participant brain-tuning: a wav2vec2/HuBERT backbone
// (frozen, with LoRA adapters on its attention projections), the mean over all frames of its
// last hidden state, and one linear projection head to the shared voxel space that every
// participant uses. As the reference, the input waveform is normalised per example first
// when the checkpoint's feature extractor does so (`do_normalize`).
#pragma once

#include <torch/arg.h>
#include <torch/nn/modules/linear.h>

#include "core/model/wav2vec2.h"

namespace neuroscale::model {

struct SpeechVoxelModelOptions {
  /// the backbone's size and adapters
  TORCH_ARG(Wav2Vec2Options, backbone) = Wav2Vec2Options::base();
  /// outputs of the shared projection head (the voxels of the shared space)
  TORCH_ARG(std::int64_t, voxels) = 1;
  /// per-example zero-mean, unit-variance input (the feature extractor's do_normalize)
  TORCH_ARG(bool, normalize_audio) = true;
};

class SpeechVoxelModelImpl : public torch::nn::Module {
 public:
  explicit SpeechVoxelModelImpl(const SpeechVoxelModelOptions& options);

  // audio [B, samples] float32 -> predicted responses [B, voxels].
  at::Tensor forward(const at::Tensor& audio);
  // The backbone's input: `audio` normalised per example when normalize_audio is set.
  at::Tensor prepare(const at::Tensor& audio) const;
  // Sets every parameter but the adapters and the head to requires_grad = false; returns
  // the number of trainable values.
  std::int64_t freeze_backbone();

  const SpeechVoxelModelOptions& options() const { return options_; }

  Wav2Vec2Model backbone{nullptr};
  torch::nn::Linear head{nullptr};

 private:
  SpeechVoxelModelOptions options_;
};
TORCH_MODULE(SpeechVoxelModel);

}  // namespace neuroscale::model
