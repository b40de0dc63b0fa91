// The optimiser interface: decoupled updates over parameter groups, with per-parameter
// state that a checkpoint can name. A parameter whose gradient is undefined is skipped and
// its state (including its step count) left untouched, as in PyTorch. Not thread-safe.
#pragma once

#include <ATen/ATen.h>
#include <torch/arg.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/optim/param_groups.h"

namespace neuroscale::optim {

class Optimizer {
 public:
  explicit Optimizer(std::vector<ParamGroup> groups);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update; group g uses learning rate `lr * groups()[g].lr_scale`.
  void step(double lr);
  // Zero every gradient in place (buffers are kept: a gradient reducer may own them).
  void zero_grad();

  const std::vector<ParamGroup>& groups() const { return groups_; }
  // State tensors as "<parameter name>.<slot>" (e.g. "encoder.mask_token.exp_avg", "...step"),
  // views of the live state: loading writes through them.
  std::vector<std::pair<std::string, at::Tensor>> named_state();

 protected:
  struct Slot {
    at::Tensor param;
    std::string name;
    double weight_decay;
    double lr_scale;
    at::Tensor exp_avg, exp_avg_sq;  // first and second moments, like the parameter
    at::Tensor step;                 // [] float64 count of updates applied (CPU)
  };
  // Update one parameter whose gradient is defined; `slot.step` was already incremented.
  virtual void update(Slot& slot, const at::Tensor& grad, double lr) = 0;

 private:
  std::vector<ParamGroup> groups_;
  std::vector<Slot> slots_;
};

struct AdamOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

// AdamW (Loshchilov & Hutter 2019), the arithmetic of torch.optim.AdamW:
// p *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
// p -= lr / (1-b1^t) * m / (sqrt(v) / sqrt(1-b2^t) + eps).
class AdamW : public Optimizer {
 public:
  AdamW(std::vector<ParamGroup> groups, AdamOptions options = {});

 private:
  void update(Slot& slot, const at::Tensor& grad, double lr) override;
  AdamOptions options_;
};

// LAMB (You et al. 2020, Algorithm 2) for large batches: the bias-corrected Adam direction
// plus decoupled decay, r = m^ / (sqrt(v^) + eps) + wd * p, scaled per tensor by the trust
// ratio ||p|| / ||r|| (1 when either norm is 0). Groups without weight decay (biases,
// LayerNorms, tokens) are excluded from the trust ratio, as BERT's LAMB does.
class Lamb : public Optimizer {
 public:
  Lamb(std::vector<ParamGroup> groups, AdamOptions options = {0.9, 0.999, 1e-6});

 private:
  void update(Slot& slot, const at::Tensor& grad, double lr) override;
  AdamOptions options_;
};

}  // namespace neuroscale::optim

namespace neuroscale::optim {

struct OptimizerOptions {
  /// "adamw" or "lamb"
  TORCH_ARG(std::string, name) = "adamw";
  /// decoupled weight decay of the "decay" group (the BIT reference: 1e-5 fine-tuning, 0.01 base)
  TORCH_ARG(double, weight_decay) = 0.01;
  /// first-moment decay
  TORCH_ARG(double, beta1) = 0.9;
  /// second-moment decay
  TORCH_ARG(double, beta2) = 0.999;
  /// denominator epsilon
  TORCH_ARG(double, eps) = 1e-8;
  /// clip gradients to this global L2 norm (0 = off)
  TORCH_ARG(double, grad_clip) = 1.0;
};

// The optimiser `options` names over weight_decay_groups(module), restricted to the
// parameters `keep` accepts (all when empty: a data-parallel partition passes the ones this
// rank owns). `lr_scale` (when given) sets each parameter's learning-rate multiplier, e.g.
// a pretrained body slower than new heads; groups are split by it. Throws UsageError for an
// unknown name.
std::unique_ptr<Optimizer> make_optimizer(
    const OptimizerOptions& options, const torch::nn::Module& module,
    const std::function<bool(const std::string&)>& keep = {},
    const std::function<double(const std::string&)>& lr_scale = {});

}  // namespace neuroscale::optim
