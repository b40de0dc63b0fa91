// The voxelwise encoding-model library (core/encoding): feature windows, Lanczos
// resampling, design matrices, bootstrap ridge and the noise ceiling, on hand-computed cases
// and a synthetic recovery problem. tests/core/encoding_reference.py checks the same
// functions against an independent NumPy implementation (encoding_crosscheck.sh).
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <set>

#include "core/encoding/design.h"
#include "core/encoding/lanczos.h"
#include "core/encoding/ridge.h"
#include "core/encoding/scores.h"
#include "core/encoding/windows.h"
#include "core/error.h"

namespace ns = neuroscale;
using namespace ns::encoding;

namespace {

constexpr double kPi = 3.14159265358979323846;

at::Tensor doubles(std::vector<double> values) { return torch::tensor(values, torch::kDouble); }

}  // namespace

// ---- windows -------------------------------------------------------------------------------

TEST(FeatureWindows, EndEveryStrideAndReachBackContextPlusStride) {
  // 20 s plus half a stride at 16 kHz: 200 windows; the last half stride gets none.
  const auto windows = feature_windows(20 * 16000 + 800);
  ASSERT_EQ(windows.spans.size(), 200u);
  EXPECT_EQ(windows.spans[0].begin, 0);
  EXPECT_EQ(windows.spans[0].end, 1600);
  // Window 160 ends at 257600 = 16 s + 100 ms: the first full-length window.
  EXPECT_EQ(windows.spans[159].begin, 0);
  EXPECT_EQ(windows.spans[159].end, 256000);
  EXPECT_EQ(windows.spans[160].begin, 0);
  EXPECT_EQ(windows.spans[160].end, 257600);
  EXPECT_EQ(windows.spans[161].begin, 1600);
  EXPECT_EQ(windows.spans[161].length(), 257600);
  EXPECT_EQ(windows.spans[199].begin, 320000 - 257600);
  EXPECT_EQ(windows.spans[199].end, 320000);
  ASSERT_EQ(windows.end_times.numel(), 200);
  EXPECT_DOUBLE_EQ(windows.end_times[0].item<double>(), 0.1);
  EXPECT_DOUBLE_EQ(windows.end_times[199].item<double>(), 20.0);
}

TEST(FeatureWindows, DropWindowsShorterThanTheMinimumInput) {
  // A 20 ms stride (320 samples) is below wav2vec2's 400-sample minimum: the first window
  // goes; the second (640 samples) stays.
  const auto options = WindowOptions().stride_seconds(0.02).context_seconds(1.0);
  const auto windows = feature_windows(16000, options);
  ASSERT_EQ(windows.spans.size(), 49u);
  EXPECT_EQ(windows.spans[0].begin, 0);
  EXPECT_EQ(windows.spans[0].end, 640);
  EXPECT_DOUBLE_EQ(windows.end_times[0].item<double>(), 0.04);
  EXPECT_EQ(feature_windows(1600).spans.size(), 1u);
  EXPECT_THROW(feature_windows(1599), ns::UsageError);
  EXPECT_THROW(feature_windows(16000, WindowOptions().stride_seconds(0.00001)), ns::UsageError);
}

// ---- Lanczos -------------------------------------------------------------------------------

TEST(Lanczos, KernelValuesAtKnownPoints) {
  const auto k = lanczos_kernel(doubles({0.0, 0.5, -0.5, 1.0, 1.5, 2.999, 3.0001, -4.0}));
  EXPECT_DOUBLE_EQ(k[0].item<double>(), 1.0);
  EXPECT_NEAR(k[1].item<double>(), 6.0 / (kPi * kPi), 1e-15);  // 3 sin(pi/2) sin(pi/6) / (pi^2/4)
  EXPECT_NEAR(k[2].item<double>(), 6.0 / (kPi * kPi), 1e-15);
  EXPECT_NEAR(k[3].item<double>(), 0.0, 1e-15);
  EXPECT_NEAR(k[4].item<double>(), -4.0 / (3.0 * kPi * kPi), 1e-15);
  EXPECT_NE(k[5].item<double>(), 0.0);
  EXPECT_EQ(k[6].item<double>(), 0.0);
  EXPECT_EQ(k[7].item<double>(), 0.0);
}

TEST(Lanczos, HandComputedTwoPointCase) {
  // Old samples at 0, 1, 2 (values 1, 2, 4); new at 0.5, 1.5: step 1, so cutoff 1.
  //   out[0] = L(0.5)*1 + L(-0.5)*2 + L(-1.5)*4 = 38 / (3 pi^2)
  //   out[1] = L(1.5)*1 + L(0.5)*2 + L(-0.5)*4 = 104 / (3 pi^2)
  const auto out =
      lanczos_interp2d(doubles({1, 2, 4}).unsqueeze(1), doubles({0, 1, 2}), doubles({0.5, 1.5}));
  ASSERT_EQ(out.sizes(), (std::vector<int64_t>{2, 1}));
  EXPECT_NEAR(out[0][0].item<double>(), 38.0 / (3.0 * kPi * kPi), 1e-14);
  EXPECT_NEAR(out[1][0].item<double>(), 104.0 / (3.0 * kPi * kPi), 1e-14);
}

TEST(Lanczos, ReproducesSamplesAtTheirOwnTimesAndHasNoRenormalisation) {
  // At the old times themselves (cutoff 1 / step) the kernel is 1 at 0 and sin(pi k) ~ 0 at
  // every other sample: the data come back.
  torch::manual_seed(3);
  const auto times = torch::arange(40, torch::kDouble) * 0.5 + 3.0;
  const auto data = torch::randn({40, 3}, torch::kFloat);
  const auto same = lanczos_interp2d(data, times, times);
  EXPECT_LT((same - data.to(torch::kDouble)).abs().max().item<double>(), 1e-14);
  // A constant at 10 Hz resampled to a 2 s TR: 20 samples per kernel unit times the kernel's
  // integral (0.99706) = 19.941 away from the edges; the reference does not divide by it.
  const auto old_times = torch::arange(200, torch::kDouble) * 0.1;
  const auto tr_times = torch::arange(1, 9, torch::kDouble) * 2.0;
  const auto out = lanczos_interp2d(torch::ones({200, 1}), old_times, tr_times);
  for (int i = 2; i < 7; ++i) EXPECT_NEAR(out[i][0].item<double>(), 19.9411, 1e-3) << "row " << i;
  EXPECT_THROW(lanczos_interp2d(data, times.slice(0, 1), times), ns::UsageError);
  EXPECT_THROW(lanczos_interp2d(data, times, doubles({1.0})), ns::UsageError);
}

// ---- design matrices -----------------------------------------------------------------------

TEST(Design, MakeDelayedShiftsDownForPositiveAndUpForNegativeDelays) {
  const auto x = torch::tensor({{1, 2}, {3, 4}, {5, 6}}, torch::kFloat);
  const auto out = make_delayed(x, {1, -1, 0, 3});
  const auto expected =
      torch::tensor({{0, 0, 3, 4, 1, 2, 0, 0}, {1, 2, 5, 6, 3, 4, 0, 0}, {3, 4, 0, 0, 5, 6, 0, 0}},
                    torch::kFloat);
  EXPECT_TRUE(torch::equal(out, expected)) << out;
  EXPECT_THROW(make_delayed(x, {}), ns::UsageError);
}

TEST(Design, ZscoreUsesThePopulationStdAndZeroesConstantColumns) {
  const auto x = torch::tensor({{1.0, 0.1}, {2.0, 0.1}, {3.0, 0.1}, {4.0, 0.1}}, torch::kFloat);
  const auto z = zscore_columns(x);
  const double s = std::sqrt(1.25);  // population std of 1..4
  const auto expected = doubles({-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s});
  EXPECT_LT((z.select(1, 0) - expected).abs().max().item<double>(), 1e-7);  // float32 input
  EXPECT_TRUE(torch::equal(z.select(1, 1), torch::zeros({4}, torch::kDouble)));
  EXPECT_EQ(z.scalar_type(), torch::kDouble);
}

// ---- scores --------------------------------------------------------------------------------

TEST(Scores, PearsonPerColumnWithZeroForConstantColumns) {
  const auto a = torch::tensor({{1.0, 1.0, 1.0}, {2.0, 2.0, 2.0}, {3.0, 3.0, 3.0}});
  const auto b = torch::tensor({{2.0, 3.0, 5.0}, {4.0, 2.0, 5.0}, {6.0, 1.0, 5.0}});
  const auto r = pearson_columns(a, b);
  EXPECT_NEAR(r[0].item<double>(), 1.0, 1e-15);
  EXPECT_NEAR(r[1].item<double>(), -1.0, 1e-15);
  EXPECT_EQ(r[2].item<double>(), 0.0);
}

TEST(Scores, NoiseCeilingHandComputed) {
  // Four identical repeats; y = (a, 0, -a) has var (ddof 1) a^2.
  //   a^2 = 0.5:  SP = (4 * 0.5 - 1) / 3 = 1/3, cc_max = 1 / sqrt(1 + (3 - 1) / 4) = sqrt(2/3)
  //   a^2 = 0.25: SP = 0 -> 0;  a^2 = 0.2: SP < 0 -> 0
  const double a0 = std::sqrt(0.5), a1 = 0.5, a2 = std::sqrt(0.2);
  const auto y = torch::tensor({{a0, a1, a2}, {0.0, 0.0, 0.0}, {-a0, -a1, -a2}}, torch::kDouble);
  const auto cc_max = noise_ceiling(y.unsqueeze(0).expand({4, 3, 3}));
  EXPECT_NEAR(cc_max[0].item<double>(), std::sqrt(2.0 / 3.0), 1e-14);
  EXPECT_EQ(cc_max[1].item<double>(), 0.0);
  EXPECT_EQ(cc_max[2].item<double>(), 0.0);
  // Z-scored first: (1, 0, -1) / sqrt(2/3) has var (ddof 1) 1.5; with 2 repeats SP = 2 and
  // cc_max = 1 / sqrt(1 + (1/2 - 1) / 2) = 1 / sqrt(0.75).
  const auto two = torch::tensor({1.0, 0.0, -1.0}).view({1, 3, 1}).expand({2, 3, 1});
  const auto scored = noise_ceiling(two, NoiseCeilingOptions().zscore_repeats(true));
  EXPECT_NEAR(scored[0].item<double>(), 1.0 / std::sqrt(0.75), 1e-14);
  EXPECT_THROW(noise_ceiling(torch::zeros({1, 3, 2})), ns::UsageError);
}

TEST(Scores, NormalisedCorrelationMasksLowCeilingsAndSummarises) {
  const auto r = doubles({0.5, 0.2, 0.3, -0.1});
  const auto cc_norm = normalised_correlation(r, doubles({0.5, 0.05, 0.0, 0.4}));
  EXPECT_DOUBLE_EQ(cc_norm[0].item<double>(), 1.0);
  EXPECT_TRUE(std::isnan(cc_norm[1].item<double>()));
  EXPECT_TRUE(std::isnan(cc_norm[2].item<double>()));
  EXPECT_DOUBLE_EQ(cc_norm[3].item<double>(), -0.25);
  const auto summary = summarise_alignment(r, cc_norm);
  EXPECT_DOUBLE_EQ(summary.mean_r, 0.225);
  EXPECT_DOUBLE_EQ(summary.mean_cc_norm, 0.375);
  EXPECT_EQ(summary.normalised_voxels, 2);
  EXPECT_EQ(summary.voxels, 4);
}

TEST(Scores, TestNoiseCeilingOnlyWhenEveryStoryHasTheSameRepeats) {
  // Two stories of four identical repeats: joined in time, y = (a, 0, -a, a, 0, -a) with
  // a^2 = 0.5 has var (ddof 1) 4a^2/5 = 0.4, SP = (4 * 0.4 - 1) / 3 = 0.2,
  // cc_max = 1 / sqrt(1 + (5 - 1) / 4) = 1 / sqrt(2).
  const double a = std::sqrt(0.5);
  const auto story = torch::tensor({a, 0.0, -a}, torch::kDouble).view({1, 3, 1}).expand({4, 3, 1});
  const auto both = test_noise_ceiling({story, story});
  ASSERT_TRUE(both.defined());
  EXPECT_NEAR(both[0].item<double>(), 1.0 / std::sqrt(2.0), 1e-14);
  EXPECT_FALSE(test_noise_ceiling({story, at::Tensor()}).defined());  // a story without repeats
  EXPECT_FALSE(test_noise_ceiling({story, story.slice(0, 0, 3)}).defined());  // 4 and 3 repeats
  EXPECT_FALSE(test_noise_ceiling({}).defined());
}

TEST(Scores, ScoreAlignmentWithoutACeilingNormalisesNothing) {
  const auto r = doubles({0.5, 0.2, 0.3, -0.1});
  const auto unnormalised = score_alignment(r, at::Tensor());
  EXPECT_DOUBLE_EQ(unnormalised.mean_r, 0.225);
  EXPECT_TRUE(std::isnan(unnormalised.mean_cc_norm));
  EXPECT_EQ(unnormalised.normalised_voxels, 0);
  EXPECT_EQ(unnormalised.voxels, 4);
  const auto normalised = score_alignment(r, doubles({0.5, 0.05, 0.0, 0.4}), 0.05);
  EXPECT_DOUBLE_EQ(normalised.mean_cc_norm, 0.375);
  EXPECT_EQ(normalised.normalised_voxels, 2);
}

// ---- ridge ---------------------------------------------------------------------------------

TEST(Ridge, AlphaGridIsNumpysLogspace) {
  const auto alphas = RidgeOptions().alphas();
  ASSERT_EQ(alphas.size(), 15u);
  EXPECT_DOUBLE_EQ(alphas.front(), 10.0);
  EXPECT_DOUBLE_EQ(alphas.back(), 10000.0);
  EXPECT_NEAR(alphas[7], std::sqrt(1e5), 1e-9);  // the middle point, 10^2.5
  EXPECT_NEAR(alphas[1], 16.37893707, 1e-7);
}

TEST(Ridge, HeldoutRowsAreWholeChunksAndTheRemainderNeverHeldOut) {
  const auto options = RidgeOptions().seed(5);
  const auto sets = bootstrap_heldout_rows(410, options);  // 20 chunks + 10 rows; int(5.125) = 5
  ASSERT_EQ(sets.size(), 3u);
  for (const auto& rows : sets) {
    ASSERT_EQ(rows.numel(), 100);
    const auto r = rows.accessor<int64_t, 1>();
    std::set<int64_t> unique;
    for (int64_t i = 0; i < 100; ++i) {
      unique.insert(r[i]);
      EXPECT_LT(r[i], 400);
      if (i % 20 == 0) {
        EXPECT_EQ(r[i] % 20, 0);
      } else {
        EXPECT_EQ(r[i], r[i - 1] + 1);
      }
    }
    EXPECT_EQ(unique.size(), 100u);
  }
  EXPECT_FALSE(torch::equal(sets[0], sets[1]));
  EXPECT_EQ(bootstrap_heldout_rows(410, RidgeOptions().heldout_chunks(2))[0].numel(), 40);
  EXPECT_THROW(bootstrap_heldout_rows(60, options), ns::UsageError);  // int(0.75) = 0 chunks
  EXPECT_THROW(bootstrap_heldout_rows(40, RidgeOptions().heldout_chunks(2)), ns::UsageError);
}

TEST(Ridge, WeightsAreTheClosedFormWithAlphaSquared) {
  torch::manual_seed(11);
  const auto x = torch::randn({60, 5}, torch::kDouble);
  const auto y = torch::randn({60, 3}, torch::kDouble);
  const auto alphas = doubles({0.5, 3.0, 40.0});
  const auto w = ridge_weights(x, y, alphas, /*voxel_chunk=*/2);
  for (int64_t v = 0; v < 3; ++v) {
    const double a = alphas[v].item<double>();
    const auto gram = x.t().mm(x) + a * a * torch::eye(5, torch::kDouble);
    const auto expected = at::linalg_solve(gram, x.t().mm(y.select(1, v).unsqueeze(1))).squeeze(1);
    EXPECT_LT((w.select(1, v) - expected).abs().max().item<double>(), 1e-12) << "voxel " << v;
  }
}

namespace {

struct Synthetic {
  at::Tensor x, y, w;
};

// x [rows, 10] standard normal, known weights w [10, 3]; voxel 0 has noise sd 0.1, voxel 1
// sd 1, voxel 2 is pure noise (w = 0, sd 1).
Synthetic synthetic(int64_t rows, const at::Tensor& w, at::Generator& gen) {
  Synthetic s;
  s.w = w;
  s.x = at::randn({rows, 10}, gen, torch::kDouble);
  const auto noise = at::randn({rows, 3}, gen, torch::kDouble) * doubles({0.1, 1.0, 1.0});
  s.y = s.x.mm(w) + noise;
  return s;
}

}  // namespace

TEST(Ridge, RecoversKnownWeightsAndPicksAlphaByNoise) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(2024);
  auto w = at::randn({10, 3}, gen, torch::kDouble) * 0.3;
  w.select(1, 2).zero_();
  const auto train = synthetic(3000, w, gen);
  const auto test = synthetic(2000, w, gen);
  const auto options = RidgeOptions().seed(1);
  const auto fit = bootstrap_ridge(train.x.to(torch::kFloat), train.y.to(torch::kFloat), options);
  ASSERT_EQ(fit.weights.sizes(), (std::vector<int64_t>{10, 3}));
  ASSERT_EQ(fit.bootstrap_scores.sizes(), (std::vector<int64_t>{15, 3}));
  // Low noise: the smallest alpha, and shrinkage of alpha^2 / S^2 ~ 100 / 3000 at most.
  EXPECT_EQ(fit.alpha_indices[0].item<int64_t>(), 0);
  const auto w0 = w.select(1, 0);
  EXPECT_LT(((fit.weights.select(1, 0) - w0).norm() / w0.norm()).item<double>(), 0.05);
  // Pure noise: any fit only adds variance, so the largest alpha wins.
  EXPECT_EQ(fit.alpha_indices[2].item<int64_t>(), 14);
  EXPECT_DOUBLE_EQ(fit.alphas[2].item<double>(), 1e4);
  EXPECT_LT(fit.weights.select(1, 2).abs().max().item<double>(), 1e-4);
  // Held-out prediction.
  const auto r = pearson_columns(predict(test.x, fit.weights), test.y);
  EXPECT_GT(r[0].item<double>(), 0.99);
  EXPECT_GT(r[1].item<double>(), 0.5);
  EXPECT_LT(std::abs(r[2].item<double>()), 0.1);
}

TEST(Ridge, SameSeedSameFitAndChunkingDoesNotMatter) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(77);
  const auto data = synthetic(500, at::randn({10, 3}, gen, torch::kDouble), gen);
  const auto y = torch::cat({data.y, data.y * 0.5 + 1.0, data.y.flip(0)}, 1);  // 9 voxels
  const auto a = bootstrap_ridge(data.x, y, RidgeOptions().seed(9));
  const auto b = bootstrap_ridge(data.x, y, RidgeOptions().seed(9));
  EXPECT_TRUE(torch::equal(a.weights, b.weights));
  EXPECT_TRUE(torch::equal(a.bootstrap_scores, b.bootstrap_scores));
  const auto chunked = bootstrap_ridge(data.x, y, RidgeOptions().seed(9).voxel_chunk(4));
  EXPECT_TRUE(torch::equal(chunked.alpha_indices, a.alpha_indices));
  EXPECT_LT((chunked.weights - a.weights).abs().max().item<double>(), 1e-12);
  EXPECT_LT((chunked.bootstrap_scores - a.bootstrap_scores).abs().max().item<double>(), 1e-12);
  const auto other = bootstrap_ridge(data.x, y, RidgeOptions().seed(10));
  for (size_t i = 0; i < a.heldout_rows.size(); ++i) {
    EXPECT_FALSE(torch::equal(a.heldout_rows[i], other.heldout_rows[i])) << "bootstrap " << i;
  }
  EXPECT_FALSE(torch::equal(a.bootstrap_scores, other.bootstrap_scores));
}

TEST(Ridge, SingleAlphaGivesEveryVoxelTheBestMeanAlpha) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
  const auto data = synthetic(400, at::randn({10, 3}, gen, torch::kDouble), gen);
  const auto fit = bootstrap_ridge(data.x, data.y, RidgeOptions().single_alpha(true));
  const auto best = fit.bootstrap_scores.mean(1).argmax().item<int64_t>();
  EXPECT_TRUE(torch::equal(fit.alpha_indices, torch::full({3}, best, torch::kLong)));
}

TEST(Ridge, RejectsMismatchedOrNonFiniteInputs) {
  const auto x = torch::randn({200, 4});
  auto y = torch::randn({200, 2});
  EXPECT_THROW(bootstrap_ridge(x, y.slice(0, 1)), ns::UsageError);
  y[3][1] = std::nan("");
  EXPECT_THROW(bootstrap_ridge(x, y), ns::DataError);
  EXPECT_THROW(predict(x, torch::zeros({5, 2})), ns::UsageError);
}
