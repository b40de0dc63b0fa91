// Reconstruction losses over selected elements. Both return the SUM over elements whose
// weight is 1 (weights are 0/1), as the BIT reference back-propagates: summing keeps each
// element's gradient independent of how elements are split across micro-batches and ranks,
// and the trainer divides by a global count when a mean is wanted (see docs/model.md).
#pragma once

#include <ATen/ATen.h>

#include <string>

namespace neuroscale::task {

enum class ReconstructionLoss { kMse, kPoissonNll };

// "mse" or "poisson_nll"; throws UsageError naming the accepted values otherwise.
ReconstructionLoss parse_reconstruction_loss(const std::string& name);
std::string to_string(ReconstructionLoss loss);

// sum(weight * (prediction - target)^2), differentiable in `prediction`. `weight` has the
// values' shape or that shape with the last extent 1 (one weight per row, as the masked
// reconstruction's per-bin validity); other broadcasts work too, on the slower composite
// path. On the CPU (float32/float64) one fused pass each way, accumulated in float64.
at::Tensor masked_mse_sum(const at::Tensor& prediction, const at::Tensor& target,
                          const at::Tensor& weight);

// [sum(weight * values), sum((weight * values)^2)] as float64 on the CPU, not
// differentiable; the weight shapes as for masked_mse_sum.
at::Tensor masked_moments(const at::Tensor& values, const at::Tensor& weight);

// Poisson negative log-likelihood without the log(target!) term, as torch's
// poisson_nll_loss(full=False): with `log_input` the prediction is a log-rate,
// exp(p) - t * p; otherwise a rate, p - t * log(p + eps).
at::Tensor masked_poisson_nll_sum(const at::Tensor& prediction, const at::Tensor& target,
                                  const at::Tensor& weight, bool log_input, double eps = 1e-8);

}  // namespace neuroscale::task
