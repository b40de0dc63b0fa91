#include "core/task/losses.h"

#include "core/check.h"

namespace neuroscale::task {

ReconstructionLoss parse_reconstruction_loss(const std::string& name) {
  if (name == "mse") return ReconstructionLoss::kMse;
  if (name == "poisson_nll") return ReconstructionLoss::kPoissonNll;
  NS_THROW(UsageError, "unknown reconstruction loss '", name, "' (expected mse or poisson_nll)");
}

std::string to_string(ReconstructionLoss loss) {
  return loss == ReconstructionLoss::kMse ? "mse" : "poisson_nll";
}

at::Tensor masked_mse_sum(const at::Tensor& prediction, const at::Tensor& target,
                          const at::Tensor& weight) {
  const auto difference = prediction - target;
  return (difference * difference * weight).sum();
}

at::Tensor masked_poisson_nll_sum(const at::Tensor& prediction, const at::Tensor& target,
                                  const at::Tensor& weight, bool log_input, double eps) {
  const auto elementwise = log_input ? at::exp(prediction) - target * prediction
                                     : prediction - target * at::log(prediction + eps);
  return (elementwise * weight).sum();
}

}  // namespace neuroscale::task
