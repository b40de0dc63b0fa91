// Per-subject layers around the shared Transformer. Subjects differ in channel count, so
// each has its own read-in (token of P*C values -> width d) and read-out (d -> P*C values).
// Shapes follow the BIT reference (`models/ndt.py`).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

namespace neuroscale::model {

// LayerNorm(P*C) -> Linear(P*C, d) -> LayerNorm(d).
class ReadInImpl : public torch::nn::Module {
 public:
  ReadInImpl(std::int64_t token_width, std::int64_t hidden);
  at::Tensor forward(const at::Tensor& tokens);

  torch::nn::LayerNorm norm_in{nullptr};
  torch::nn::Linear linear{nullptr};
  torch::nn::LayerNorm norm_out{nullptr};
};
TORCH_MODULE(ReadIn);

// LayerNorm(d) -> Linear(d, P*C), then LayerNorm(P*C) when `output_norm` (the reference
// has it; it is optional here because it fixes the scale of each reconstructed token).
class ReadOutImpl : public torch::nn::Module {
 public:
  ReadOutImpl(std::int64_t hidden, std::int64_t token_width, bool output_norm);
  at::Tensor forward(const at::Tensor& hidden);

  torch::nn::LayerNorm norm_in{nullptr};
  torch::nn::Linear linear{nullptr};
  torch::nn::LayerNorm norm_out{nullptr};  ///< null without output_norm
};
TORCH_MODULE(ReadOut);

}  // namespace neuroscale::model
