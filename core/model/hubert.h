// HuBERT's masked-prediction model (Hsu et al. 2021; fairseq's HubertModel): the wav2vec2/
// HuBERT backbone (wav2vec2.h) whose projected features are replaced by a learned embedding
// where masked, then, from the last layer, a projection to `final_dim` whose cosine similarity
// with one embedding per cluster, divided by a temperature, is the logit of that cluster.
// Unlike fairseq's base recipe the backbone has no dropout, LayerDrop or feature-encoder
// gradient scaling (the engine's backbone has none; docs/speech-pretraining.md).
//
// Parameter names: the backbone under `hubert.` with the Hugging Face keys of HubertModel
// (`hubert.encoder.layers.3.attention.q_proj.weight`, ...), the mask embedding
// `hubert.masked_spec_embed` (HubertModel's own key), and the head `final_proj.{weight,bias}`
// and `label_embs` (fairseq's label_embs_concat), so the backbone exports 1:1 as a Hugging
// Face HubertModel.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include <cstdint>

#include "core/model/wav2vec2.h"

namespace neuroscale::model {

struct HubertOptions {
  /// the backbone (its lora must be off: pretraining trains every weight)
  TORCH_ARG(Wav2Vec2Options, backbone) = Wav2Vec2Options::base();
  /// k, the clusters of the targets
  TORCH_ARG(std::int64_t, clusters) = 100;
  /// width of the projection and of the cluster embeddings (fairseq's final_dim)
  TORCH_ARG(std::int64_t, final_dim) = 256;
  /// logits are cosine similarities divided by this (fairseq's logit_temp)
  TORCH_ARG(double, temperature) = 0.1;
};

class HubertPretrainingImpl : public torch::nn::Module {
 public:
  explicit HubertPretrainingImpl(const HubertOptions& options);

  // audio [B, N] float32 (normalised as the data path decides); mask [B, frames(N)] bool, true
  // where the frame's projected features are replaced by the mask embedding (undefined: no
  // masking). Returns the logits [B, frames, clusters] float32.
  at::Tensor forward(const at::Tensor& audio, const at::Tensor& mask = {});

  HubertOptions options;
  Wav2Vec2Model hubert{nullptr};
  at::Tensor masked_spec_embed;  ///< [hidden], registered under hubert.
  torch::nn::Linear final_proj{nullptr};
  at::Tensor label_embs;  ///< [clusters, final_dim]
};
TORCH_MODULE(HubertPretraining);

}  // namespace neuroscale::model
