#include "core/speech/linear_probe.h"

#include <torch/torch.h>

#include "core/check.h"

namespace neuroscale::speech {

LinearProbe fit_linear_probe(const at::Tensor& x, const at::Tensor& y, std::int64_t classes,
                             const LinearProbeOptions& options) {
  NS_CHECK_AS(UsageError, x.dim() == 2 && x.size(0) > 0,
              "linear probe: features must be [n, d] "
              "with n > 0, got ",
              x.sizes());
  NS_CHECK_AS(UsageError, y.dim() == 1 && y.size(0) == x.size(0), "linear probe: ", x.size(0),
              " feature rows but labels of shape ", y.sizes());
  NS_CHECK_AS(UsageError, classes >= 2, "linear probe: classes must be >= 2, got ", classes);
  NS_CHECK_AS(UsageError, options.weight_decay() >= 0 && options.iterations() >= 1,
              "linear probe: weight_decay must be >= 0 and iterations >= 1");
  const at::Tensor labels = y.to(at::kLong);
  NS_CHECK_AS(UsageError,
              labels.min().item<std::int64_t>() >= 0 && labels.max().item<std::int64_t>() < classes,
              "linear probe: labels must lie in [0, ", classes, ")");
  torch::NoGradGuard outer;
  LinearProbe probe;
  const at::Tensor features = x.to(at::kFloat);
  probe.mean = features.mean(0);
  const at::Tensor sd = features.std(0, /*unbiased=*/false);
  probe.scale = at::where(sd > 1e-8, 1.0 / sd, at::zeros_like(sd));
  const at::Tensor z = (features - probe.mean) * probe.scale;

  at::Tensor weight = torch::zeros({classes, x.size(1)}, torch::requires_grad());
  at::Tensor bias = torch::zeros({classes}, torch::requires_grad());
  torch::optim::LBFGS optimizer(std::vector<at::Tensor>{weight, bias},
                                torch::optim::LBFGSOptions(1.0)
                                    .max_iter(options.iterations())
                                    .max_eval(options.iterations() * 5 / 4 + 1)
                                    .tolerance_grad(options.gradient_tolerance())
                                    .tolerance_change(1e-12)
                                    .history_size(20)
                                    .line_search_fn("strong_wolfe"));
  const double decay = options.weight_decay();
  auto closure = [&]() -> at::Tensor {
    torch::AutoGradMode enable(true);
    optimizer.zero_grad();
    at::Tensor loss = at::cross_entropy_loss(at::linear(z, weight, bias), labels) +
                      0.5 * decay * weight.pow(2).sum();
    loss.backward();
    ++probe.evaluations;
    return loss;
  };
  optimizer.step(closure);
  probe.weight = weight.detach();
  probe.bias = bias.detach();
  probe.loss = (at::cross_entropy_loss(at::linear(z, probe.weight, probe.bias), labels) +
                0.5 * decay * probe.weight.pow(2).sum())
                   .item<double>();
  return probe;
}

at::Tensor probe_logits(const LinearProbe& probe, const at::Tensor& x) {
  NS_CHECK_AS(UsageError, x.dim() == 2 && x.size(1) == probe.weight.size(1),
              "linear probe: features must be [n, ", probe.weight.size(1), "], got ", x.sizes());
  torch::NoGradGuard guard;
  return at::linear((x.to(at::kFloat) - probe.mean) * probe.scale, probe.weight, probe.bias);
}

double probe_accuracy(const LinearProbe& probe, const at::Tensor& x, const at::Tensor& y) {
  NS_CHECK_AS(UsageError, y.dim() == 1 && y.size(0) == x.size(0), "linear probe: ", x.size(0),
              " feature rows but labels of shape ", y.sizes());
  if (x.size(0) == 0) return 0;
  return probe_logits(probe, x).argmax(1).eq(y.to(at::kLong)).to(at::kDouble).mean().item<double>();
}

}  // namespace neuroscale::speech
