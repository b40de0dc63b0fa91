#include "core/model/lora.h"

#include <torch/nn/init.h>

#include <cmath>

#include "core/check.h"
#include "core/model/affine.h"
#include "core/model/dropout.h"
#include "core/model/lora_update.h"
#include "core/model/packed_gemm.h"

namespace neuroscale::model {

void LoraOptions::validate() const {
  NS_CHECK_AS(ConfigError, rank() >= 0, "lora.rank must be >= 0, got ", rank());
  NS_CHECK_AS(ConfigError, rank() == 0 || alpha() > 0.0, "lora.alpha must be > 0, got ", alpha());
  NS_CHECK_AS(ConfigError, dropout() >= 0.0 && dropout() < 1.0,
              "lora.dropout must be in [0, 1), got ", dropout());
}

LoraLinearImpl::LoraLinearImpl(std::int64_t in_features_, std::int64_t out_features_,
                               const LoraOptions& lora_, bool with_bias, bool initialize)
    : in_features(in_features_), out_features(out_features_), lora(lora_) {
  NS_CHECK_AS(ConfigError, in_features > 0 && out_features > 0,
              "a LoRA linear needs positive widths, got in ", in_features, ", out ", out_features);
  lora.validate();
  // nn.Linear's reset_parameters(): W ~ kaiming_uniform(a=√5), b ~ U(±1/sqrt(in)).
  weight = register_parameter("weight", at::empty({out_features, in_features}));
  torch::NoGradGuard no_grad;
  if (initialize) torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (with_bias) {
    bias = register_parameter("bias", at::empty({out_features}));
    const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
    if (initialize) bias.uniform_(-bound, bound);
  }
  if (lora.rank() == 0) return;
  // PEFT's LoraLayer.reset_lora_parameters (init_lora_weights=True): A as nn.Linear, B = 0.
  lora_A = register_parameter("lora_A", at::empty({lora.rank(), in_features}));
  lora_B = register_parameter("lora_B", at::zeros({out_features, lora.rank()}));
  torch::nn::init::kaiming_uniform_(lora_A, std::sqrt(5.0));
}

double LoraLinearImpl::scaling() const {
  return has_adapter() ? lora.alpha() / static_cast<double>(lora.rank()) : 0.0;
}

at::Tensor LoraLinearImpl::forward(const at::Tensor& x) {
  NS_CHECK_AS(UsageError, x.dim() >= 1 && x.size(-1) == in_features, "LoRA linear expects [..., ",
              in_features, "] input, got ", x.sizes());
  auto sizes = x.sizes().vec();
  const auto rows = x.reshape({-1, in_features});
  const auto* pack = current_pack();
  const auto base = pack != nullptr && pack->serves(rows, bias) ? pack->linear(rows, bias)
                                                                : affine(rows, weight, bias);
  sizes.back() = out_features;
  return add_update(rows, base).view(sizes);
}

at::Tensor LoraLinearImpl::add_update(const at::Tensor& rows, const at::Tensor& base) {
  if (!has_adapter()) return base;
  // The update is added into the base product by its GEMM (no pass over [rows, out] of its
  // own), with every rank-r product in BLAS's fast orientation (core/model/lora_update.h).
  // Adapters may stay float32 over bfloat16 base weights: the update is then computed in
  // theirs and added.
  const auto dropped = model::dropout(rows.to(lora_A.scalar_type()), lora.dropout(), is_training());
  if (base.scalar_type() == lora_A.scalar_type())
    return lora_update(base, dropped, lora_A, lora_B, scaling());
  const auto down = at::mm(dropped, lora_A.t()).mul_(scaling());
  return base + at::mm(down, lora_B.t()).to(base.scalar_type());
}

std::int64_t LoraLinearImpl::pack_weight(bool with_gradient) {
  packed_.reset();
  if (!packable(weight)) return 0;
  packed_ = std::make_shared<PackedWeight>(weight, with_gradient);
  return packed_->bytes();
}

const PackedWeight* LoraLinearImpl::current_pack() { return refresh_pack(packed_, weight); }

bool is_lora_parameter(const std::string& name) {
  const auto dot = name.rfind('.');
  const auto leaf = dot == std::string::npos ? name : name.substr(dot + 1);
  return leaf == "lora_A" || leaf == "lora_B";
}

std::int64_t freeze_all_but_lora(torch::nn::Module& module) {
  std::int64_t trainable = 0;
  for (auto& item : module.named_parameters()) {
    const bool adapter = is_lora_parameter(item.key());
    item.value().set_requires_grad(adapter);
    if (adapter) trainable += item.value().numel();
  }
  return trainable;
}

}  // namespace neuroscale::model
