#include "core/model/wav2vec2_layers.h"

#include <torch/nn/init.h>
#include <torch/version.h>

#include <cmath>

#include "core/check.h"
#include "core/model/linear.h"

namespace neuroscale::model {
namespace {

torch::nn::LayerNorm make_norm(std::int64_t width, double eps) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({width}).eps(eps));
}

// ‖v[:, :, k]‖ for every k, shape [1, 1, K] (torch's norm_except_dim(v, 2, dim=2)).
at::Tensor norm_except_last(const at::Tensor& v) {
  return v.square().sum(at::IntArrayRef{0, 1}, /*keepdim=*/true).sqrt();
}

// Wav2Vec2PreTrainedModel._init_weights for an nn.Linear: N(0, initializer_range = 0.02),
// bias 0. (A randomly initialised backbone starts as a Hugging Face one; PyTorch's default
// Linear and Conv1d initialisations shrink the signal through the seven convolutions by
// orders of magnitude.)
void init_linear(at::Tensor& weight, at::Tensor& bias) {
  torch::NoGradGuard no_grad;
  weight.normal_(0.0, 0.02);
  bias.zero_();
}

}  // namespace

// ---- feature encoder

Wav2Vec2ConvLayerImpl::Wav2Vec2ConvLayerImpl(std::int64_t in_channels, std::int64_t out_channels,
                                             std::int64_t kernel, std::int64_t stride,
                                             bool group_norm, double eps) {
  conv = register_module(
      "conv",
      torch::nn::Conv1d(
          torch::nn::Conv1dOptions(in_channels, out_channels, kernel).stride(stride).bias(false)));
  torch::nn::init::kaiming_normal_(conv->weight);  // _init_weights for nn.Conv1d
  if (group_norm) {
    layer_norm = register_module(
        "layer_norm",
        torch::nn::GroupNorm(torch::nn::GroupNormOptions(out_channels, out_channels).eps(eps)));
  }
}

at::Tensor Wav2Vec2ConvLayerImpl::forward(const at::Tensor& x) {
  auto h = conv(x);
  if (layer_norm) h = layer_norm(h);
  return at::gelu(h);
}

Wav2Vec2FeatureEncoderImpl::Wav2Vec2FeatureEncoderImpl(const Wav2Vec2Options& options) {
  conv_layers = register_module("conv_layers", torch::nn::ModuleList());
  std::int64_t in_channels = 1;
  for (std::size_t i = 0; i < options.conv_kernels().size(); ++i) {
    conv_layers->push_back(Wav2Vec2ConvLayer(in_channels, options.conv_dim(),
                                             options.conv_kernels()[i], options.conv_strides()[i],
                                             i == 0, options.layer_norm_eps()));
    in_channels = options.conv_dim();
  }
}

at::Tensor Wav2Vec2FeatureEncoderImpl::forward(const at::Tensor& audio) {
  auto h = audio.unsqueeze(1);
  for (const auto& layer : *conv_layers) h = layer->as<Wav2Vec2ConvLayer>()->forward(h);
  return h;
}

Wav2Vec2FeatureProjectionImpl::Wav2Vec2FeatureProjectionImpl(const Wav2Vec2Options& options) {
  if (options.feat_proj_layer_norm()) {
    layer_norm =
        register_module("layer_norm", make_norm(options.conv_dim(), options.layer_norm_eps()));
  }
  projection =
      register_module("projection", torch::nn::Linear(options.conv_dim(), options.hidden()));
  // _init_weights for Wav2Vec2FeatureProjection: U(±1/sqrt(conv_dim)), weight and bias.
  torch::NoGradGuard no_grad;
  const double bound = 1.0 / std::sqrt(static_cast<double>(options.conv_dim()));
  projection->weight.uniform_(-bound, bound);
  projection->bias.uniform_(-bound, bound);
}

at::Tensor Wav2Vec2FeatureProjectionImpl::forward(const at::Tensor& features) {
  return linear(layer_norm ? model::layer_norm(features, layer_norm) : features, projection);
}

// ---- positional convolution

WeightNormConv1dImpl::WeightNormConv1dImpl(std::int64_t channels_, std::int64_t kernel_,
                                           std::int64_t groups_)
    : channels(channels_), kernel(kernel_), groups(groups_) {
  weight_g = register_parameter("weight_g", at::empty({1, 1, kernel}));
  weight_v = register_parameter("weight_v", at::empty({channels, channels / groups, kernel}));
  bias = register_parameter("bias", at::zeros({channels}));
  // Wav2Vec2PreTrainedModel._init_weights: v ~ N(0, 2 / sqrt(K * C)), bias 0; weight_norm()
  // then starts g at ‖v‖ so that the effective weight equals v.
  torch::NoGradGuard no_grad;
  weight_v.normal_(0.0, 2.0 / std::sqrt(static_cast<double>(kernel * channels)));
  weight_g.copy_(norm_except_last(weight_v));
}

at::Tensor WeightNormConv1dImpl::weight() const {
  return weight_v * (weight_g / norm_except_last(weight_v));
}

at::Tensor WeightNormConv1dImpl::forward(const at::Tensor& x) {
  return at::conv1d(x, weight(), bias, /*stride=*/{1}, /*padding=*/{kernel / 2}, /*dilation=*/{1},
                    groups);
}

Wav2Vec2PositionalConvImpl::Wav2Vec2PositionalConvImpl(const Wav2Vec2Options& options) {
  conv = register_module("conv", WeightNormConv1d(options.hidden(), options.pos_conv_kernel(),
                                                  options.pos_conv_groups()));
}

at::Tensor Wav2Vec2PositionalConvImpl::forward(const at::Tensor& x) {
  auto h = conv(x.transpose(1, 2));
  if (conv->kernel % 2 == 0) h = h.narrow(2, 0, h.size(2) - 1);  // Wav2Vec2SamePadLayer
  return at::gelu(h).transpose(1, 2);
}

// ---- Transformer layers

Wav2Vec2AttentionImpl::Wav2Vec2AttentionImpl(std::int64_t hidden_, std::int64_t heads_,
                                             const LoraOptions& lora)
    : hidden(hidden_), heads(heads_) {
  q_proj = register_module("q_proj", LoraLinear(hidden, hidden, lora));
  k_proj = register_module("k_proj", LoraLinear(hidden, hidden, lora));
  v_proj = register_module("v_proj", LoraLinear(hidden, hidden, lora));
  out_proj = register_module("out_proj", LoraLinear(hidden, hidden, lora));
  for (auto* projection : {&q_proj, &k_proj, &v_proj, &out_proj})
    init_linear((*projection)->weight, (*projection)->bias);
}

at::Tensor Wav2Vec2AttentionImpl::forward(const at::Tensor& x) {
  const auto batch = x.size(0), frames = x.size(1), head_dim = hidden / heads;
  const auto split = [&](const at::Tensor& t) {  // [B, T, d] -> [B, H, T, hd]
    return t.view({batch, frames, heads, head_dim}).transpose(1, 2);
  };
  const auto key = split(k_proj(x));
  const auto value = split(v_proj(x));
#if TORCH_VERSION_MAJOR >= 2
  // The fused kernel scales by head_dim^-1/2 itself.
  const auto context = at::scaled_dot_product_attention(split(q_proj(x)), key, value);
#else
  const auto query = split(q_proj(x) * (1.0 / std::sqrt(static_cast<double>(head_dim))));
  const auto probabilities = at::softmax(at::matmul(query, key.transpose(-2, -1)), -1);
  const auto context = at::matmul(probabilities, value);
#endif
  return out_proj(context.transpose(1, 2).reshape({batch, frames, hidden}));
}

Wav2Vec2FeedForwardImpl::Wav2Vec2FeedForwardImpl(std::int64_t hidden, std::int64_t intermediate) {
  intermediate_dense =
      register_module("intermediate_dense", torch::nn::Linear(hidden, intermediate));
  output_dense = register_module("output_dense", torch::nn::Linear(intermediate, hidden));
  init_linear(intermediate_dense->weight, intermediate_dense->bias);
  init_linear(output_dense->weight, output_dense->bias);
}

at::Tensor Wav2Vec2FeedForwardImpl::forward(const at::Tensor& x) {
  return linear(at::gelu(linear(x, intermediate_dense)), output_dense);
}

Wav2Vec2EncoderLayerImpl::Wav2Vec2EncoderLayerImpl(const Wav2Vec2Options& options) {
  attention = register_module("attention",
                              Wav2Vec2Attention(options.hidden(), options.heads(), options.lora()));
  layer_norm = register_module("layer_norm", make_norm(options.hidden(), options.layer_norm_eps()));
  feed_forward = register_module("feed_forward",
                                 Wav2Vec2FeedForward(options.hidden(), options.intermediate()));
  final_layer_norm =
      register_module("final_layer_norm", make_norm(options.hidden(), options.layer_norm_eps()));
}

at::Tensor Wav2Vec2EncoderLayerImpl::forward(const at::Tensor& x) {
  const auto h = model::layer_norm(x + attention(x), layer_norm);
  return model::layer_norm(h + feed_forward(h), final_layer_norm);
}

Wav2Vec2EncoderImpl::Wav2Vec2EncoderImpl(const Wav2Vec2Options& options) {
  pos_conv_embed = register_module("pos_conv_embed", Wav2Vec2PositionalConv(options));
  layer_norm = register_module("layer_norm", make_norm(options.hidden(), options.layer_norm_eps()));
  layers = register_module("layers", torch::nn::ModuleList());
  for (std::int64_t i = 0; i < options.layers(); ++i)
    layers->push_back(Wav2Vec2EncoderLayer(options));
}

std::vector<at::Tensor> Wav2Vec2EncoderImpl::forward(const at::Tensor& x, std::int64_t last_layer) {
  const auto count = static_cast<std::int64_t>(layers->size());
  NS_CHECK_AS(UsageError, last_layer >= -1 && last_layer <= count,
              "wav2vec2 last_layer must be -1 (all) or in [0, ", count, "], got ", last_layer);
  const auto stop = last_layer < 0 ? count : last_layer;
  std::vector<at::Tensor> hidden_states;
  hidden_states.reserve(stop + 1);
  hidden_states.push_back(model::layer_norm(x + pos_conv_embed(x), layer_norm));
  for (std::int64_t i = 0; i < stop; ++i) {
    hidden_states.push_back(layers->at<Wav2Vec2EncoderLayerImpl>(i).forward(hidden_states.back()));
  }
  return hidden_states;
}

}  // namespace neuroscale::model
