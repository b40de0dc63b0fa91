#include "core/optim/grad_clip.h"

#include <ATen/core/grad_mode.h>

#include <cmath>

namespace neuroscale::optim {

double global_grad_norm(const std::vector<at::Tensor>& params) {
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> norms;
  for (const auto& param : params) {
    if (param.grad().defined()) norms.push_back(param.grad().norm(2).to(at::kDouble));
  }
  if (norms.empty()) return 0.0;
  return at::stack(norms).norm(2).item<double>();
}

double clip_grad_norm(const std::vector<at::Tensor>& params, double max_norm) {
  const double norm = global_grad_norm(params);
  if (max_norm <= 0.0 || !std::isfinite(norm)) return norm;
  const double factor = max_norm / (norm + 1e-6);
  if (factor >= 1.0) return norm;
  at::NoGradGuard no_grad;
  for (const auto& param : params) {
    if (param.grad().defined()) param.grad().mul_(factor);
  }
  return norm;
}

}  // namespace neuroscale::optim
