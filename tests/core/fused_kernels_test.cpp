// The fused CPU kernels against the composite ATen forms they replace: values and
// gradients agree, for float64 (to rounding) and float32, including strided gradients, and
// the inputs they do not cover take the composite path; the few-rows product of the linear
// layers against float64 products.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/error.h"
#include "core/intra_op.h"
#include "core/model/affine.h"
#include "core/model/few_rows_kernel.h"
#include "core/model/qkv_heads.h"
#include "core/task/losses.h"

namespace ns = neuroscale;
using ns::model::RotaryTables;

namespace {

// Gradients of sum(w_q * q) + sum(w_k * k^T) + sum(w_v * v) with respect to `projected`:
// the key's upstream gradient arrives transposed in memory, as from q @ k^T.
at::Tensor split_gradient(const at::Tensor& projected, const ns::model::QkvHeads& heads,
                          const std::vector<at::Tensor>& weights) {
  const auto loss = (heads.query * weights[0]).sum() +
                    (heads.key.transpose(-2, -1) * weights[1]).sum() +
                    (heads.value * weights[2]).sum();
  return torch::autograd::grad({loss}, {projected})[0];
}

void expect_split_matches(torch::Dtype dtype, double tolerance) {
  torch::manual_seed(3);
  const std::int64_t batch = 3, tokens = 7, heads = 2, dim = 6;
  const auto positions = torch::tensor({0, 5, 10, 15, 20, 25, 30});
  const RotaryTables key = ns::model::rotary_tables(positions, dim, 1e4);
  const RotaryTables query = ns::model::rotary_tables(positions, dim, 1e4, 0.5);
  const auto projected =
      torch::randn({batch, tokens, 3 * heads * dim}, torch::dtype(dtype).requires_grad(true));
  const auto fused = ns::model::split_qkv_heads(projected, heads, query, key);
  const auto reference = ns::model::split_qkv_heads_composite(projected, heads, query, key);
  ASSERT_TRUE(fused.query.is_contiguous() && fused.key.is_contiguous());
  EXPECT_TRUE(torch::allclose(fused.query, reference.query, tolerance, tolerance));
  EXPECT_TRUE(torch::allclose(fused.key, reference.key, tolerance, tolerance));
  EXPECT_TRUE(torch::equal(fused.value, reference.value));
  const std::vector<at::Tensor> weights = {torch::randn({batch, heads, tokens, dim}, dtype),
                                           torch::randn({batch, heads, dim, tokens}, dtype),
                                           torch::randn({batch, heads, tokens, dim}, dtype)};
  EXPECT_TRUE(torch::allclose(split_gradient(projected, fused, weights),
                              split_gradient(projected, reference, weights), tolerance, tolerance));
}

}  // namespace

TEST(SplitQkvHeads, MatchesTheCompositeFormInValuesAndGradients) {
  expect_split_matches(torch::kDouble, 1e-12);
  expect_split_matches(torch::kFloat, 1e-5);
}

TEST(SplitQkvHeads, RotatesByHandComputedAngles) {
  // One token at position 1, one head of 2 features: RoPE with theta 1 rotates the pair
  // (x1, x2) by 1 radian: (x1 cos 1 - x2 sin 1, x2 cos 1 + x1 sin 1).
  const auto tables = ns::model::rotary_tables(torch::tensor({1}), 2, 1.0);
  const auto projected =
      torch::tensor({3.0, 4.0, 1.0, 0.0, 7.0, 8.0}, torch::kDouble).view({1, 1, 6});
  const auto out = ns::model::split_qkv_heads(projected, 1, tables, tables);
  const double c = std::cos(1.0), s = std::sin(1.0);
  EXPECT_NEAR(out.query[0][0][0][0].item<double>(), 3 * c - 4 * s, 1e-6);
  EXPECT_NEAR(out.query[0][0][0][1].item<double>(), 4 * c + 3 * s, 1e-6);
  EXPECT_NEAR(out.key[0][0][0][0].item<double>(), c, 1e-6);
  EXPECT_NEAR(out.key[0][0][0][1].item<double>(), s, 1e-6);
  EXPECT_TRUE(torch::equal(out.value.reshape({2}), torch::tensor({7.0, 8.0}, torch::kDouble)));
}

TEST(SplitQkvHeads, RejectsShapesThatDoNotSplit) {
  const auto tables = ns::model::rotary_tables(torch::arange(4), 4, 1e4);
  EXPECT_THROW(ns::model::split_qkv_heads(torch::zeros({2, 4, 20}), 2, tables, tables),
               ns::UsageError);  // 20 is not 3 * 2 * 4
  EXPECT_THROW(ns::model::split_qkv_heads(torch::zeros({2, 5, 24}), 2, tables, tables),
               ns::UsageError);  // tables for 4 tokens, not 5
}

TEST(MaskedMseSum, FusedPathMatchesTheCompositeFormInValueAndGradient) {
  torch::manual_seed(4);
  for (const auto dtype : {torch::kDouble, torch::kFloat}) {
    const double tolerance = dtype == torch::kDouble ? 1e-10 : 1e-4;
    const auto prediction = torch::randn({300, 5, 7}, torch::dtype(dtype).requires_grad(true));
    const auto target = torch::randn({300, 5, 7}, dtype);
    const auto weight = (torch::rand({300, 5, 1}) > 0.3).to(dtype);
    const auto fused = ns::task::masked_mse_sum(prediction, target, weight);
    const auto difference = prediction - target;
    const auto reference = (difference * difference * weight).sum();
    EXPECT_NEAR(fused.item<double>(), reference.item<double>(),
                tolerance * reference.item<double>());
    const auto g_fused = torch::autograd::grad({fused * 3.0}, {prediction})[0];
    const auto g_reference = torch::autograd::grad({reference * 3.0}, {prediction})[0];
    EXPECT_TRUE(torch::allclose(g_fused, g_reference, tolerance, tolerance));

    const auto moments = ns::task::masked_moments(target, weight);
    const auto scored = target * weight;
    EXPECT_NEAR(moments[0].item<double>(), scored.sum().item<double>(), 1e-3);
    EXPECT_NEAR(moments[1].item<double>(), (scored * scored).sum().item<double>(), 1e-3);
  }
}

TEST(MaskedMseSum, BroadcastsItDoesNotFuseTakeTheCompositePath) {
  // A weight per channel ([1, 1, C]) is not one weight per row: the composite form applies.
  const auto prediction = torch::ones({2, 2, 3});
  const auto weight = torch::tensor({1.0f, 0.0f, 2.0f}).view({1, 1, 3});
  EXPECT_FLOAT_EQ(
      ns::task::masked_mse_sum(prediction, torch::zeros({2, 2, 3}), weight).item<float>(), 12.0f);
  EXPECT_DOUBLE_EQ(ns::task::masked_moments(prediction, weight)[1].item<double>(), 20.0);
}

namespace {

// x·Wᵀ in float64, the independent reference of the few-rows kernel.
at::Tensor reference_product(const at::Tensor& x, const at::Tensor& w) {
  return at::mm(x.to(at::kDouble), w.to(at::kDouble).t());
}

std::vector<ns::model::FewRowsIsa> kernels_this_cpu_runs() {
  std::vector<ns::model::FewRowsIsa> isas;
  const auto best = ns::model::few_rows_isa();
  if (best == ns::model::FewRowsIsa::kAvx512) isas.push_back(best);
  if (best != ns::model::FewRowsIsa::kNone) isas.push_back(ns::model::FewRowsIsa::kAvx2);
  return isas;
}

}  // namespace

TEST(FewRowsKernel, EveryShapeMatchesTheFloat64ProductOnEveryKernelThisCpuRuns) {
  const auto isas = kernels_this_cpu_runs();
  if (isas.empty()) GTEST_SKIP() << "this CPU has neither AVX2+FMA nor AVX-512";
  torch::manual_seed(11);
  for (const auto isa : isas) {
    for (const std::int64_t m : {1, 2, 3, 4, 5, 8, 13, 16, 17, 31, 32}) {
      for (const std::int64_t k : {1, 7, 16, 37, 768}) {
        for (const std::int64_t n : {1, 5, 67, 300}) {
          const auto x = torch::randn({m, k});
          const auto w = torch::randn({n, k});
          auto y = torch::full({m, n}, NAN);
          const ns::model::FewRowsProduct product{
              x.data_ptr<float>(), w.data_ptr<float>(), y.data_ptr<float>(), m, k, n};
          // Two calls over a split of the columns, as the parallel loop makes them.
          ns::model::few_rows_columns(isa, product, 0, n / 2);
          ns::model::few_rows_columns(isa, product, n / 2, n);
          const double error =
              (y.to(at::kDouble) - reference_product(x, w)).abs().max().item<double>();
          EXPECT_LT(error, 1e-5 * std::sqrt(static_cast<double>(k)) * 4)
              << "isa " << static_cast<int>(isa) << ", " << m << " x " << k << " by " << n;
        }
      }
    }
  }
}

TEST(FewRowsKernel, AffineTakesItOnlyForFewFloat32RowsOutsideAutograd) {
  if (ns::model::few_rows_isa() == ns::model::FewRowsIsa::kNone) {
    GTEST_SKIP() << "this CPU has neither AVX2+FMA nor AVX-512";
  }
  torch::manual_seed(12);
  const auto w = torch::randn({70, 40});
  const auto bias = torch::randn({70});
  const auto limit = ns::model::few_rows_limit(ns::model::few_rows_isa());
  {
    torch::NoGradGuard no_grad;
    // Rows that are a strided view (the last position of each sequence) and a bias.
    const auto sequences = torch::randn({3, 5, 40});
    const auto last = sequences.select(1, 4);
    ASSERT_TRUE(ns::model::uses_few_rows_kernel(last, w));
    const auto y = ns::model::affine(last, w, bias);
    const auto expected = reference_product(last, w) + bias.to(at::kDouble);
    EXPECT_LT((y.to(at::kDouble) - expected).abs().max().item<double>(), 1e-4);
    EXPECT_FALSE(ns::model::uses_few_rows_kernel(torch::randn({limit + 1, 40}), w));
    EXPECT_FALSE(ns::model::uses_few_rows_kernel(last.to(at::kBFloat16), w.to(at::kBFloat16)));
    EXPECT_FALSE(ns::model::uses_few_rows_kernel(last, w.t().contiguous().t()));
  }
  // Training: the product stays in autograd and its gradients are addmm's.
  const auto x = torch::randn({2, 40}, torch::requires_grad());
  EXPECT_FALSE(ns::model::uses_few_rows_kernel(x, w));
  ns::model::affine(x, w, bias).sum().backward();
  EXPECT_TRUE(torch::allclose(x.grad(), w.sum(0).expand({2, 40}), 1e-5, 1e-5));
}

// The engine's kernels (the few-rows product, dropout, the fused losses and heads) split their
// work with at::parallel_for; compiled without OpenMP they would all run on one thread.
TEST(IntraOp, TheEnginesParallelLoopsReachEveryThread) {
  const int before = at::get_num_threads();
  at::set_num_threads(2);
  EXPECT_EQ(ns::intra_op_threads_reached(64), 2);
  EXPECT_EQ(ns::intra_op_threads_reached(1), 1);
  at::set_num_threads(before);
}
