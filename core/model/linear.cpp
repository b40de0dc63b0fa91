#include "core/model/linear.h"

#include "core/model/affine.h"

namespace neuroscale::model {

at::Tensor linear(const at::Tensor& x, const torch::nn::Linear& layer) {
  const auto& weight = layer->weight;
  const auto& bias = layer->bias;
  auto sizes = x.sizes().vec();
  const auto rows = x.reshape({-1, x.size(-1)});
  auto out = affine(rows, weight, bias);
  sizes.back() = weight.size(0);
  return out.view(sizes);
}

torch::nn::LayerNorm make_layer_norm(std::int64_t width) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({width}).eps(1e-5));
}

at::Tensor layer_norm(const at::Tensor& x, const torch::nn::LayerNorm& norm) {
  const bool reduced = x.scalar_type() == at::kBFloat16 || x.scalar_type() == at::kHalf;
  return norm.ptr()->forward(reduced ? x.to(at::kFloat) : x);
}

}  // namespace neuroscale::model
