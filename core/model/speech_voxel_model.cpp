#include "core/model/speech_voxel_model.h"

#include <torch/torch.h>

#include "core/check.h"

namespace neuroscale::model {

SpeechVoxelModelImpl::SpeechVoxelModelImpl(const SpeechVoxelModelOptions& options)
    : options_(options) {
  options_.backbone().validate();
  NS_CHECK_AS(ConfigError, options_.voxels() >= 1, "model.voxels must be >= 1, got ",
              options_.voxels());
  backbone = register_module("backbone", Wav2Vec2Model(options_.backbone()));
  head =
      register_module("head", torch::nn::Linear(options_.backbone().hidden(), options_.voxels()));
}

at::Tensor SpeechVoxelModelImpl::prepare(const at::Tensor& audio) const {
  return options_.normalize_audio() ? normalize_waveform(audio) : audio;
}

at::Tensor SpeechVoxelModelImpl::forward(const at::Tensor& audio) {
  NS_CHECK(audio.dim() == 2, "speech model: audio must be [batch, samples], got ", audio.sizes());
  const auto hidden = backbone->last_hidden_state(prepare(audio));  // [B, frames, d]
  return head(hidden.mean(1));
}

std::int64_t SpeechVoxelModelImpl::freeze_backbone() {
  std::int64_t trainable = freeze_all_but_lora(*backbone);
  for (auto& p : head->parameters()) {
    p.set_requires_grad(true);
    trainable += p.numel();
  }
  return trainable;
}

}  // namespace neuroscale::model
