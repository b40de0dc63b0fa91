// The wav2vec2 / HuBERT base speech backbone (post-norm, do_stable_layer_norm=False) as
// Hugging Face's Wav2Vec2Model / HubertModel compute it, with optional LoRA adapters on the
// attention projections for brain-tuning, and the waveform normalisation its feature
// extractor applies.
//
// Parameter names are the Hugging Face checkpoint keys without the model prefix
// (`encoder.layers.3.attention.q_proj.weight`, ...), so named_parameters() maps 1:1 onto a
// checkpoint (io/tensors/speech_checkpoint.h). The backbone has no dropout, no LayerDrop and
// no SpecAugment: the brain-tuning reference never calls train() on it, so it always runs
// as in eval mode. train() / eval() only switch the adapters' dropout.
#pragma once

#include <torch/nn/module.h>

#include <string>
#include <vector>

#include "core/model/wav2vec2_layers.h"
#include "core/model/wav2vec2_options.h"

namespace neuroscale::model {

// Per row zero mean and unit variance, (x - mean) / sqrt(var + eps) with the population
// variance, as Wav2Vec2FeatureExtractor with do_normalize (eps 1e-7; 1e-5 in old versions).
// audio [B, N] or [N], float.
at::Tensor normalize_waveform(const at::Tensor& audio, double eps = 1e-7);

// Thread safety: a module is used by one thread at a time, as every LibTorch module.
class Wav2Vec2ModelImpl : public torch::nn::Module {
 public:
  explicit Wav2Vec2ModelImpl(const Wav2Vec2Options& options = Wav2Vec2Options::base());

  // audio [B, N] float32, already normalised (normalize_waveform) -> hidden states as
  // Hugging Face's output_hidden_states: [0] the embedding after encoder.layer_norm, [l]
  // the output of layer l, each [B, frames(N), hidden]; stops after layer `last_layer`
  // (-1: all), so callers that need early layers skip the rest.
  std::vector<at::Tensor> forward(const at::Tensor& audio, std::int64_t last_layer = -1);
  // The output of the last layer, [B, frames(N), hidden].
  at::Tensor last_hidden_state(const at::Tensor& audio);

  // Frames produced from `samples` samples; throws UsageError below the receptive field.
  std::int64_t frames(std::int64_t samples) const { return options.frames(samples); }

  // Freezes every parameter except the LoRA adapters (which become trainable); returns the
  // number of trainable values (589,824 for the base size with rank 8).
  std::int64_t freeze_base();
  // Dotted names of the adapter parameters (`encoder.layers.{i}.attention.*.lora_{A,B}`).
  std::vector<std::string> lora_parameter_names() const;

  Wav2Vec2Options options;
  Wav2Vec2FeatureEncoder feature_extractor{nullptr};
  Wav2Vec2FeatureProjection feature_projection{nullptr};
  Wav2Vec2Encoder encoder{nullptr};
};
TORCH_MODULE(Wav2Vec2Model);

}  // namespace neuroscale::model
