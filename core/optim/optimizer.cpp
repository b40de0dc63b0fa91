#include "core/optim/optimizer.h"

#include <algorithm>

#include <ATen/core/grad_mode.h>

#include <cmath>

#include "core/check.h"

namespace neuroscale::optim {

Optimizer::Optimizer(std::vector<ParamGroup> groups) : groups_(std::move(groups)) {
  for (const auto& group : groups_) {
    NS_CHECK_EQ(group.names.size(), group.params.size(), "parameter group '", group.name,
                "' needs one name per parameter");
    NS_CHECK_AS(UsageError, group.weight_decay >= 0.0 && group.lr_scale >= 0.0, "parameter group '",
                group.name, "' has a negative weight decay or lr scale");
    for (std::size_t i = 0; i < group.params.size(); ++i) {
      const auto& param = group.params[i];
      slots_.push_back({param, group.names[i], group.weight_decay, group.lr_scale,
                        at::zeros_like(param, at::MemoryFormat::Preserve),
                        at::zeros_like(param, at::MemoryFormat::Preserve),
                        at::zeros({}, at::kDouble)});
    }
  }
}

void Optimizer::step(double lr) {
  NS_CHECK_AS(UsageError, std::isfinite(lr) && lr >= 0.0,
              "learning rate must be finite and >= 0, got ", lr);
  at::NoGradGuard no_grad;
  for (auto& slot : slots_) {
    const auto& grad = slot.param.grad();
    if (!grad.defined()) continue;
    slot.step.add_(1.0);
    update(slot, grad, lr * slot.lr_scale);
  }
}

void Optimizer::zero_grad() {
  for (auto& slot : slots_) {
    auto grad = slot.param.mutable_grad();
    if (grad.defined()) grad.zero_();  // in place: the gradient may be a view of a reducer bucket
  }
}

std::vector<std::pair<std::string, at::Tensor>> Optimizer::named_state() {
  std::vector<std::pair<std::string, at::Tensor>> state;
  for (auto& slot : slots_) {
    state.emplace_back(slot.name + ".exp_avg", slot.exp_avg);
    state.emplace_back(slot.name + ".exp_avg_sq", slot.exp_avg_sq);
    state.emplace_back(slot.name + ".step", slot.step);
  }
  return state;
}

AdamW::AdamW(std::vector<ParamGroup> groups, AdamOptions options)
    : Optimizer(std::move(groups)), options_(options) {}

void AdamW::update(Slot& slot, const at::Tensor& grad, double lr) {
  const double t = slot.step.item<double>();
  auto& param = slot.param;
  if (slot.weight_decay != 0.0) param.mul_(1.0 - lr * slot.weight_decay);
  slot.exp_avg.mul_(options_.beta1).add_(grad, 1.0 - options_.beta1);
  slot.exp_avg_sq.mul_(options_.beta2).addcmul_(grad, grad, 1.0 - options_.beta2);
  const double correction1 = 1.0 - std::pow(options_.beta1, t);
  const double correction2_sqrt = std::sqrt(1.0 - std::pow(options_.beta2, t));
  const auto denominator = (slot.exp_avg_sq.sqrt() / correction2_sqrt).add_(options_.eps);
  param.addcdiv_(slot.exp_avg, denominator, -lr / correction1);
}

Lamb::Lamb(std::vector<ParamGroup> groups, AdamOptions options)
    : Optimizer(std::move(groups)), options_(options) {}

void Lamb::update(Slot& slot, const at::Tensor& grad, double lr) {
  const double t = slot.step.item<double>();
  auto& param = slot.param;
  slot.exp_avg.mul_(options_.beta1).add_(grad, 1.0 - options_.beta1);
  slot.exp_avg_sq.mul_(options_.beta2).addcmul_(grad, grad, 1.0 - options_.beta2);
  const double correction1 = 1.0 - std::pow(options_.beta1, t);
  const double correction2 = 1.0 - std::pow(options_.beta2, t);
  auto direction =
      (slot.exp_avg / correction1) / ((slot.exp_avg_sq / correction2).sqrt_().add_(options_.eps));
  double trust = 1.0;
  if (slot.weight_decay != 0.0) {
    direction.add_(param, slot.weight_decay);
    const double weight_norm = param.norm().item<double>();
    const double direction_norm = direction.norm().item<double>();
    if (weight_norm > 0.0 && direction_norm > 0.0) trust = weight_norm / direction_norm;
  }
  param.add_(direction, -lr * trust);
}

std::unique_ptr<Optimizer> make_optimizer(
    const OptimizerOptions& options, const torch::nn::Module& module,
    const std::function<bool(const std::string&)>& keep,
    const std::function<double(const std::string&)>& lr_scale) {
  const AdamOptions adam{options.beta1(), options.beta2(), options.eps()};
  auto groups = weight_decay_groups(module, options.weight_decay());
  if (keep) {
    for (auto& group : groups) {
      ParamGroup kept{group.name, {}, {}, group.weight_decay, group.lr_scale};
      for (std::size_t i = 0; i < group.names.size(); ++i) {
        if (!keep(group.names[i])) continue;
        kept.names.push_back(group.names[i]);
        kept.params.push_back(group.params[i]);
      }
      group = std::move(kept);
    }
  }
  if (lr_scale) {
    // Split each group by scale, in order of first appearance (parameters keep module order).
    std::vector<ParamGroup> split;
    for (const auto& group : groups) {
      std::vector<ParamGroup> parts;
      for (std::size_t i = 0; i < group.names.size(); ++i) {
        const double scale = lr_scale(group.names[i]);
        auto part = std::find_if(parts.begin(), parts.end(),
                                 [&](const ParamGroup& g) { return g.lr_scale == scale; });
        if (part == parts.end()) {
          parts.push_back(
              {group.name + "@lr*" + std::to_string(scale), {}, {}, group.weight_decay, scale});
          part = parts.end() - 1;
        }
        part->names.push_back(group.names[i]);
        part->params.push_back(group.params[i]);
      }
      for (auto& part : parts) split.push_back(std::move(part));
    }
    groups = std::move(split);
  }
  if (options.name() == "adamw") return std::make_unique<AdamW>(std::move(groups), adam);
  if (options.name() == "lamb") return std::make_unique<Lamb>(std::move(groups), adam);
  NS_THROW(UsageError, "unknown optimizer '", options.name(), "' (expected adamw or lamb)");
}

}  // namespace neuroscale::optim
