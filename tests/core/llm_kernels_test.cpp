// The fused CPU kernels of the causal LM's elementwise work (RMSNorm, SwiGLU, rotary
// embeddings per token) and their exponential, each against the composite LibTorch form
// differentiated by autograd in float64.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/model/rms_norm.h"
#include "core/model/rotary.h"
#include "core/model/swiglu.h"
#include "core/model/vector_math.h"

namespace ns = neuroscale;

namespace {

const auto kF64 = torch::TensorOptions().dtype(torch::kFloat64);

// Largest |a - b| relative to max(|b|, 1) (float32 results against float64 ones).
double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
  const auto b64 = b.to(torch::kFloat64);
  return ((a.to(torch::kFloat64) - b64).abs() / b64.abs().clamp_min(1.0)).max().item<double>();
}

// A float64 leaf and its float32 copy, both wanting gradients.
std::pair<torch::Tensor, torch::Tensor> leaves(const torch::Tensor& value) {
  return {value.to(torch::kFloat64).set_requires_grad(true),
          value.to(torch::kFloat32).set_requires_grad(true)};
}

}  // namespace

TEST(VectorExp, WithinTwoUlpOverTheRangeAndClampedOutsideIt) {
  double worst = 0.0;
  for (int i = 0; i <= 350000; ++i) {
    const float x = -87.0f + 175.0f * static_cast<float>(i) / 350000.0f;
    const double exact = std::exp(static_cast<double>(x));
    worst = std::max(worst, std::abs(ns::model::vector_exp(x) - exact) / exact);
  }
  EXPECT_LT(worst, 2.0 * std::numeric_limits<float>::epsilon()) << worst;
  EXPECT_EQ(ns::model::vector_exp(0.0f), 1.0f);
  EXPECT_FLOAT_EQ(ns::model::vector_exp(-1000.0f), std::exp(-87.0f));
  EXPECT_FLOAT_EQ(ns::model::vector_exp(1000.0f), std::exp(88.0f));
  EXPECT_TRUE(std::isnan(ns::model::vector_exp(std::numeric_limits<float>::quiet_NaN())));
}

TEST(SiluMul, FusedMatchesTheCompositeFormInValueAndGradients) {
  torch::manual_seed(21);
  // An odd element count (vector tails) and gates out to where σ saturates.
  auto [gate64, gate32] = leaves(torch::randn({3, 1001}) * 8.0);
  auto [up64, up32] = leaves(torch::randn({3, 1001}));
  const auto g = torch::randn({3, 1001});
  const auto fused = ns::model::silu_mul(gate32, up32);
  const auto plain = torch::silu(gate64) * up64;
  EXPECT_LT(relative_error(fused, plain), 1e-6);
  (fused * g).sum().backward();
  (plain * g.to(torch::kFloat64)).sum().backward();
  EXPECT_LT(relative_error(gate32.grad(), gate64.grad()), 1e-6);
  EXPECT_LT(relative_error(up32.grad(), up64.grad()), 1e-6);
  // Only what is asked for: up frozen.
  const auto gate = torch::randn({50}).set_requires_grad(true), up = torch::randn({50});
  ns::model::silu_mul(gate, up).sum().backward();
  EXPECT_TRUE(gate.grad().defined());
  EXPECT_FALSE(up.grad().defined());
  // A NaN gate gives NaN, as the composite form.
  const auto nan = ns::model::silu_mul(torch::full({20}, std::nan("")), torch::ones({20}));
  EXPECT_TRUE(nan.isnan().all().item<bool>());
}

TEST(RmsNorm, FusedMatchesTheCompositeFormInValueAndGradients) {
  torch::manual_seed(22);
  const double eps = 1e-6;
  // 3 x 37 rows (more than one chunk of rows) of a width that is not a multiple of 16.
  auto [x64, x32] = leaves(torch::randn({3, 37, 100}) * 3.0);
  auto [w64, w32] = leaves(torch::randn({100}));
  const auto g = torch::randn({3, 37, 100});
  const auto fused = ns::model::rms_norm(x32, w32, eps);
  const auto plain = w64 * (x64 * torch::rsqrt(x64.pow(2).mean(-1, true) + eps));
  EXPECT_LT(relative_error(fused, plain), 1e-6);
  (fused * g).sum().backward();
  (plain * g.to(torch::kFloat64)).sum().backward();
  EXPECT_LT(relative_error(x32.grad(), x64.grad()), 1e-5);
  EXPECT_LT(relative_error(w32.grad(), w64.grad()), 1e-5);
}

TEST(RmsNorm, WeightGradientDoesNotDependOnTheThreadCount) {
  torch::manual_seed(23);
  const auto x = torch::randn({300, 64});
  const auto g = torch::randn({300, 64});
  auto weight_gradient = [&](int threads) {
    at::set_num_threads(threads);
    const auto w = torch::randn({64}, torch::TensorOptions().requires_grad(false)).fill_(1.5);
    w.set_requires_grad(true);
    (ns::model::rms_norm(x, w, 1e-5) * g).sum().backward();
    return w.grad();
  };
  const int threads = at::get_num_threads();
  const auto one = weight_gradient(1), two = weight_gradient(2);
  at::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(one, two));
}

TEST(RmsNorm, OtherDtypesTakeTheCompositeFormAndBadShapesAreNamed) {
  torch::manual_seed(24);
  const auto x = torch::randn({4, 32});
  const auto w = torch::rand({32});
  const auto bf16 = ns::model::rms_norm(x.to(torch::kBFloat16), w, 1e-6);
  EXPECT_EQ(bf16.scalar_type(), torch::kFloat32);  // bf16 normed times a float32 weight
  EXPECT_LT(relative_error(bf16, ns::model::rms_norm(x, w, 1e-6)), 2e-2);
  try {
    ns::model::rms_norm(x, torch::ones({31}), 1e-6);
    FAIL() << "a weight of the wrong width was accepted";
  } catch (const ns::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("[..., H]"), std::string::npos) << e.what();
  }
}

TEST(RotateHeads, FusedMatchesTheCompositeRotationInValueAndGradient) {
  torch::manual_seed(25);
  const std::int64_t batch = 2, tokens = 5, heads = 3, dim = 8;
  const auto positions = torch::randint(0, 50, {batch * tokens});
  const auto tables = ns::model::rotary_tables(positions, dim, 10000.0);
  const auto cos = tables.cos.view({batch, tokens, dim});
  const auto sin = tables.sin.view({batch, tokens, dim});
  auto [x64, x32] = leaves(torch::randn({batch, tokens, heads, dim}));
  const auto g = torch::randn({batch, tokens, heads, dim});
  const auto fused = ns::model::rotate_heads(x32, cos, sin);
  // The reference: apply_rotary (rotate-half) on [B, H, T, D] with tables [B, 1, T, D].
  const ns::model::RotaryTables wide{cos.unsqueeze(1).to(torch::kFloat64),
                                     sin.unsqueeze(1).to(torch::kFloat64)};
  const auto plain = ns::model::apply_rotary(x64.transpose(1, 2), wide).transpose(1, 2);
  EXPECT_LT(relative_error(fused, plain), 1e-6);
  // float64 takes the composite form, which agrees with the fused kernel too.
  const auto composite =
      ns::model::rotate_heads(x64.detach(), cos.to(torch::kFloat64), sin.to(torch::kFloat64));
  EXPECT_LT(relative_error(fused, composite), 1e-6);
  (fused * g).sum().backward();
  (plain * g.to(torch::kFloat64)).sum().backward();
  EXPECT_LT(relative_error(x32.grad(), x64.grad()), 1e-6);
  // A rotation keeps each pair's norm.
  EXPECT_LT(relative_error(fused.pow(2).sum(), x32.pow(2).sum()), 1e-5);
  EXPECT_THROW(ns::model::rotate_heads(x32, cos.narrow(2, 0, 4), sin), ns::UsageError);
}
