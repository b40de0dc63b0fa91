#include "core/model/linear.h"

namespace neuroscale::model {

at::Tensor linear(const at::Tensor& x, const torch::nn::Linear& layer) {
  const auto& weight = layer->weight;
  const auto& bias = layer->bias;
  auto sizes = x.sizes().vec();
  const auto rows = x.reshape({-1, x.size(-1)});
  auto out = bias.defined() ? at::addmm(bias, rows, weight.t()) : at::mm(rows, weight.t());
  sizes.back() = weight.size(0);
  return out.view(sizes);
}

}  // namespace neuroscale::model
