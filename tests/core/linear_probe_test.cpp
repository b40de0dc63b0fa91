// The linear probe: its fit is the optimum of its convex objective (the gradient, written out
// by hand here, vanishes), it separates separable classes, it ignores constant features, it
// does not depend on the row order, and it refuses bad input.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "core/error.h"
#include "core/speech/linear_probe.h"

namespace neuroscale::speech {
namespace {

// Gaussian clusters around `classes` random centres in `dim` dimensions.
std::pair<at::Tensor, at::Tensor> clusters(std::int64_t n, std::int64_t dim, std::int64_t classes,
                                           double spread, std::uint64_t seed) {
  auto generator = at::detail::createCPUGenerator(seed);
  const at::Tensor centres = at::randn({classes, dim}, generator) * 3.0;
  const at::Tensor y = at::randint(classes, {n}, generator, at::kLong);
  const at::Tensor x = centres.index_select(0, y) + spread * at::randn({n, dim}, generator) + 5.0;
  return {x, y};
}

TEST(LinearProbe, FitIsTheObjectivesOptimum) {
  const auto [x, y] = clusters(600, 8, 4, 2.5, 3);  // overlapping classes: a finite optimum
  const double decay = 1e-2;
  const auto probe = fit_linear_probe(x, y, 4, LinearProbeOptions().weight_decay(decay));
  // d/dW [mean CE + decay/2 |W|^2] = (P - Y)^T z / n + decay W;  d/db = mean(P - Y).
  const at::Tensor z = (x - probe.mean) * probe.scale;
  const at::Tensor p = at::softmax(at::linear(z, probe.weight, probe.bias), 1);
  const at::Tensor residual = p - at::one_hot(y, 4).to(at::kFloat);
  const at::Tensor grad_w = residual.t().matmul(z) / 600.0 + decay * probe.weight;
  const at::Tensor grad_b = residual.mean(0);
  EXPECT_LT(grad_w.abs().max().item<double>(), 1e-4);
  EXPECT_LT(grad_b.abs().max().item<double>(), 1e-4);
  // The standardisation is the training features' own.
  EXPECT_TRUE(at::allclose(probe.mean, x.mean(0)));
  EXPECT_TRUE(at::allclose(1.0 / probe.scale, x.std(0, /*unbiased=*/false)));
}

TEST(LinearProbe, SeparatesSeparableClassesAndGeneralises) {
  const auto [x, y] = clusters(2000, 16, 10, 0.3, 5);
  const auto probe = fit_linear_probe(x.slice(0, 0, 1000), y.slice(0, 0, 1000), 10);
  EXPECT_GT(probe_accuracy(probe, x.slice(0, 1000), y.slice(0, 1000)), 0.99);
  // Noise features alone say nothing: chance level (10 classes) on held-out rows.
  auto generator = at::detail::createCPUGenerator(7);
  const at::Tensor noise = at::randn({2000, 16}, generator);
  const auto blind = fit_linear_probe(noise.slice(0, 0, 1000), y.slice(0, 0, 1000), 10);
  EXPECT_LT(probe_accuracy(blind, noise.slice(0, 1000), y.slice(0, 1000)), 0.16);
}

TEST(LinearProbe, ConstantFeaturesAndRowOrderDoNotMatter) {
  const auto [x, y] = clusters(400, 6, 3, 1.5, 11);
  const at::Tensor with_constant = at::cat({x, at::full({400, 1}, 4.0)}, 1);
  const auto probe = fit_linear_probe(with_constant, y, 3);
  EXPECT_EQ(probe.scale[6].item<float>(), 0.0f);
  EXPECT_TRUE(at::isfinite(probe.weight).all().item<bool>());
  const at::Tensor order = at::randperm(400, at::detail::createCPUGenerator(2), at::kLong);
  const auto shuffled =
      fit_linear_probe(with_constant.index_select(0, order), y.index_select(0, order), 3);
  EXPECT_NEAR(shuffled.loss, probe.loss, 1e-5);
  const at::Tensor rows = with_constant.narrow(0, 0, 50);
  EXPECT_TRUE(at::allclose(probe_logits(shuffled, rows), probe_logits(probe, rows), 1e-3, 1e-3));
}

TEST(LinearProbe, RefusesBadInput) {
  const at::Tensor x = at::randn({10, 3});
  EXPECT_THROW(fit_linear_probe(x, at::zeros({9}, at::kLong), 2), UsageError);
  EXPECT_THROW(fit_linear_probe(x, at::full({10}, 2, at::kLong), 2), UsageError);
  EXPECT_THROW(fit_linear_probe(x, at::zeros({10}, at::kLong), 1), UsageError);
  EXPECT_THROW(fit_linear_probe(at::randn({0, 3}), at::zeros({0}, at::kLong), 2), UsageError);
  const auto probe = fit_linear_probe(x, at::arange(10, at::kLong) % 2, 2);
  EXPECT_THROW(probe_logits(probe, at::randn({4, 5})), UsageError);
}

}  // namespace
}  // namespace neuroscale::speech
