// The building blocks of the wav2vec2 / HuBERT backbone (core/model/wav2vec2.h), each
// registering its parameters under the Hugging Face module names (modeling_wav2vec2.py), so
// a dotted parameter name is the checkpoint key without its model prefix. No block has
// dropout: the backbone always runs as Hugging Face's does in eval mode.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include <vector>

#include "core/model/lora.h"
#include "core/model/wav2vec2_options.h"

namespace neuroscale::model {

// One feature-encoder convolution (no bias), with a GroupNorm of one group per channel on
// the first one (feat_extract_norm="group"), then exact GELU. Keys: `conv.weight`,
// `layer_norm.{weight,bias}`.
class Wav2Vec2ConvLayerImpl : public torch::nn::Module {
 public:
  Wav2Vec2ConvLayerImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel,
                        std::int64_t stride, bool group_norm, double eps);
  at::Tensor forward(const at::Tensor& x);  // [B, C_in, n] -> [B, C_out, n']

  torch::nn::Conv1d conv{nullptr};
  torch::nn::GroupNorm layer_norm{nullptr};  ///< only on the first convolution
};
TORCH_MODULE(Wav2Vec2ConvLayer);

// `feature_extractor`: the convolutional encoder, audio [B, N] -> features [B, conv_dim, T].
class Wav2Vec2FeatureEncoderImpl : public torch::nn::Module {
 public:
  explicit Wav2Vec2FeatureEncoderImpl(const Wav2Vec2Options& options);
  at::Tensor forward(const at::Tensor& audio);

  torch::nn::ModuleList conv_layers{nullptr};
};
TORCH_MODULE(Wav2Vec2FeatureEncoder);

// `feature_projection`: LayerNorm(conv_dim) (when feat_proj_layer_norm) then
// Linear(conv_dim -> hidden); [B, T, conv_dim] -> [B, T, hidden].
class Wav2Vec2FeatureProjectionImpl : public torch::nn::Module {
 public:
  explicit Wav2Vec2FeatureProjectionImpl(const Wav2Vec2Options& options);
  at::Tensor forward(const at::Tensor& features);

  torch::nn::LayerNorm layer_norm{nullptr};  ///< null when feat_proj_layer_norm is off
  torch::nn::Linear projection{nullptr};
};
TORCH_MODULE(Wav2Vec2FeatureProjection);

// A grouped Conv1d under weight normalisation with dim=2 (torch.nn.utils.weight_norm(conv,
// dim=2)): w[:, :, k] = g[k] · v[:, :, k] / ‖v[:, :, k]‖, the norm over dims 0 and 1.
// Keys: `weight_g` [1, 1, K], `weight_v` [C, C / groups, K], `bias` [C]. Padding K / 2.
class WeightNormConv1dImpl : public torch::nn::Module {
 public:
  WeightNormConv1dImpl(std::int64_t channels, std::int64_t kernel, std::int64_t groups);
  at::Tensor weight() const;                // the effective convolution weight
  at::Tensor forward(const at::Tensor& x);  // [B, C, T] -> [B, C, T + 1 - K % 2]

  std::int64_t channels, kernel, groups;
  at::Tensor weight_g, weight_v, bias;
};
TORCH_MODULE(WeightNormConv1d);

// `encoder.pos_conv_embed`: the relative positional embedding, conv -> drop the last frame
// when K is even (SamePad) -> GELU; [B, T, d] -> [B, T, d] (added to the input by the caller).
class Wav2Vec2PositionalConvImpl : public torch::nn::Module {
 public:
  explicit Wav2Vec2PositionalConvImpl(const Wav2Vec2Options& options);
  at::Tensor forward(const at::Tensor& x);

  WeightNormConv1d conv{nullptr};
};
TORCH_MODULE(Wav2Vec2PositionalConv);

// `attention`: multi-head self-attention with biased q/k/v/out projections (LoRA-capable),
// the query scaled by head_dim^-1/2, no mask (every frame of a batch is real audio).
class Wav2Vec2AttentionImpl : public torch::nn::Module {
 public:
  Wav2Vec2AttentionImpl(std::int64_t hidden, std::int64_t heads, const LoraOptions& lora);
  at::Tensor forward(const at::Tensor& x);  // [B, T, d] -> [B, T, d]

  std::int64_t hidden, heads;
  LoraLinear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, out_proj{nullptr};
};
TORCH_MODULE(Wav2Vec2Attention);

// `feed_forward`: intermediate_dense -> GELU -> output_dense.
class Wav2Vec2FeedForwardImpl : public torch::nn::Module {
 public:
  Wav2Vec2FeedForwardImpl(std::int64_t hidden, std::int64_t intermediate);
  at::Tensor forward(const at::Tensor& x);

  torch::nn::Linear intermediate_dense{nullptr}, output_dense{nullptr};
};
TORCH_MODULE(Wav2Vec2FeedForward);

// `encoder.layers.{i}`, post-norm: x = LN1(x + Attn(x)); x = LN2(x + FFN(x)).
class Wav2Vec2EncoderLayerImpl : public torch::nn::Module {
 public:
  explicit Wav2Vec2EncoderLayerImpl(const Wav2Vec2Options& options);
  at::Tensor forward(const at::Tensor& x);

  Wav2Vec2Attention attention{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};
  Wav2Vec2FeedForward feed_forward{nullptr};
  torch::nn::LayerNorm final_layer_norm{nullptr};
};
TORCH_MODULE(Wav2Vec2EncoderLayer);

// `encoder`: x + pos_conv_embed(x) -> layer_norm -> layers. forward() returns the hidden
// states as Hugging Face's output_hidden_states: [0] after layer_norm, [l] after layer l,
// stopping after layer `last_layer` (-1: all layers).
class Wav2Vec2EncoderImpl : public torch::nn::Module {
 public:
  explicit Wav2Vec2EncoderImpl(const Wav2Vec2Options& options);
  std::vector<at::Tensor> forward(const at::Tensor& x, std::int64_t last_layer = -1);

  Wav2Vec2PositionalConv pos_conv_embed{nullptr};
  torch::nn::LayerNorm layer_norm{nullptr};
  torch::nn::ModuleList layers{nullptr};
};
TORCH_MODULE(Wav2Vec2Encoder);

}  // namespace neuroscale::model
