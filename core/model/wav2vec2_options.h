// The size of a wav2vec2 / HuBERT backbone (huggingface/transformers Wav2Vec2Config and
// HubertConfig, post-norm variant) and the frame arithmetic of its convolutional encoder.
#pragma once

#include <torch/arg.h>

#include <cstdint>
#include <vector>

#include "core/model/lora.h"

namespace neuroscale::model {

struct Wav2Vec2Options {
  // wav2vec2-base / hubert-base-ls960 (the defaults below).
  static Wav2Vec2Options base();
  // A 2-layer, 32-wide model with the base's seven convolutions, so the frame rate stays
  // 50 Hz (stride 320 at 16 kHz); for tests.
  static Wav2Vec2Options tiny();

  // Throws ConfigError naming the first field out of range or inconsistent.
  void validate() const;

  // Samples one output frame sees (400 for the base encoder); shorter input has no frame.
  std::int64_t receptive_field() const;
  // Product of the strides (320 for the base encoder).
  std::int64_t total_stride() const;
  // Frames the encoder produces from `samples`: n = (n - k) / s + 1 per convolution
  // (160000 -> 499, 16000 -> 49). Throws UsageError when samples < receptive_field().
  std::int64_t frames(std::int64_t samples) const;

  /// channels of every convolution of the feature encoder (conv_dim)
  TORCH_ARG(std::int64_t, conv_dim) = 512;
  /// kernel of each feature-encoder convolution, first to last (conv_kernel)
  TORCH_ARG(std::vector<std::int64_t>, conv_kernels) = {10, 3, 3, 3, 3, 2, 2};
  /// stride of each feature-encoder convolution (conv_stride)
  TORCH_ARG(std::vector<std::int64_t>, conv_strides) = {5, 2, 2, 2, 2, 2, 2};
  /// Transformer width d (hidden_size)
  TORCH_ARG(std::int64_t, hidden) = 768;
  /// Transformer layers (num_hidden_layers)
  TORCH_ARG(std::int64_t, layers) = 12;
  /// attention heads; d must be divisible by it (num_attention_heads)
  TORCH_ARG(std::int64_t, heads) = 12;
  /// feed-forward width (intermediate_size)
  TORCH_ARG(std::int64_t, intermediate) = 3072;
  /// kernel of the positional convolution (num_conv_pos_embeddings)
  TORCH_ARG(std::int64_t, pos_conv_kernel) = 128;
  /// groups of the positional convolution; d must be divisible by it
  TORCH_ARG(std::int64_t, pos_conv_groups) = 16;
  /// epsilon of every LayerNorm and of the first convolution's GroupNorm
  TORCH_ARG(double, layer_norm_eps) = 1e-5;
  /// LayerNorm before the feature projection (HuBERT's feat_proj_layer_norm; wav2vec2: on)
  TORCH_ARG(bool, feat_proj_layer_norm) = true;
  /// adapters on the attention q/k/v/out projections (rank 0: none)
  TORCH_ARG(LoraOptions, lora) = {};
};

}  // namespace neuroscale::model
