#include "core/model/read_in_out.h"

#include "core/model/linear.h"

namespace neuroscale::model {

ReadInImpl::ReadInImpl(std::int64_t token_width, std::int64_t hidden) {
  norm_in = register_module("norm_in", make_layer_norm(token_width));
  linear = register_module("linear", torch::nn::Linear(token_width, hidden));
  norm_out = register_module("norm_out", make_layer_norm(hidden));
}

at::Tensor ReadInImpl::forward(const at::Tensor& tokens) {
  return layer_norm(model::linear(layer_norm(tokens, norm_in), linear), norm_out);
}

ReadOutImpl::ReadOutImpl(std::int64_t hidden, std::int64_t token_width, bool output_norm) {
  norm_in = register_module("norm_in", make_layer_norm(hidden));
  linear = register_module("linear", torch::nn::Linear(hidden, token_width));
  if (output_norm) norm_out = register_module("norm_out", make_layer_norm(token_width));
}

at::Tensor ReadOutImpl::forward(const at::Tensor& hidden) {
  auto out = model::linear(layer_norm(hidden, norm_in), linear);
  return norm_out ? layer_norm(out, norm_out) : out;
}

}  // namespace neuroscale::model
