#include "core/model/fused_projections.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "core/check.h"
#include "core/model/packed_gemm.h"

namespace neuroscale::model {

FusedProjections::FusedProjections(std::vector<LoraLinear> layers) : layers_(std::move(layers)) {
  NS_CHECK(!layers_.empty(), "fused projections need at least one layer");
  for (const auto& layer : layers_)
    NS_CHECK(layer->in_features == layers_.front()->in_features,
             "fused projections must share their input width: ", layers_.front()->in_features,
             " and ", layer->in_features);
}

std::vector<at::Tensor> FusedProjections::weights() const {
  std::vector<at::Tensor> out;
  for (const auto& layer : layers_) out.push_back(layer->weight);
  return out;
}

std::int64_t FusedProjections::pack(bool with_gradient) {
  packed_.reset();
  const auto all = weights();
  if (std::all_of(all.begin(), all.end(), packable)) {
    for (auto& layer : layers_) layer->unpack_weight();  // the stacked pack serves them
    packed_ = std::make_shared<PackedWeight>(all, with_gradient);
    return packed_->bytes();
  }
  std::int64_t bytes = 0;
  for (auto& layer : layers_) bytes += layer->pack_weight(with_gradient);
  return bytes;
}

std::vector<at::Tensor> FusedProjections::forward(const at::Tensor& x) {
  std::vector<at::Tensor> out;
  const auto* pack = refresh_pack(packed_, weights());
  const auto in = layers_.front()->in_features;
  NS_CHECK_AS(UsageError, x.dim() >= 1 && x.size(-1) == in, "fused projections expect [..., ", in,
              "] input, got ", x.sizes());
  const auto rows = x.reshape({-1, in});
  // One bias for the stacked weight: each layer's, zeros where a layer has none.
  at::Tensor bias;
  const bool any_bias = std::any_of(layers_.begin(), layers_.end(),
                                    [](const LoraLinear& l) { return l->bias.defined(); });
  if (pack != nullptr && any_bias) {
    std::vector<at::Tensor> parts;
    for (const auto& layer : layers_)
      parts.push_back(layer->bias.defined() ? layer->bias
                                            : at::zeros({layer->out_features}, rows.options()));
    bias = at::cat(parts);
  }
  if (pack == nullptr || !pack->serves(rows, bias)) {
    for (auto& layer : layers_) out.push_back(layer(x));
    return out;
  }
  std::vector<std::int64_t> widths;
  for (const auto& layer : layers_) widths.push_back(layer->out_features);
  // split_with_sizes: backward concatenates the layers' output gradients in one pass.
  const auto shares = at::split_with_sizes(pack->linear(rows, bias), widths, 1);
  auto sizes = x.sizes().vec();
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    sizes.back() = widths[i];
    out.push_back(layers_[i]->add_update(rows, shares[i]).reshape(sizes));
  }
  return out;
}

}  // namespace neuroscale::model
