// Ensembles: the averaging of phoneme log-probabilities, on distributions whose normalised
// geometric mean is known by hand, and the pooling and choice of end-to-end candidates.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "jobs/evaluate_decoding.h"

namespace {

using neuroscale::jobs::average_log_probs;

TEST(EnsembleAveraging, IsTheNormalisedGeometricMeanOfTheMembers) {
  // Over two classes: (0.5, 0.5) and (0.9, 0.1) -> sqrt(0.45), sqrt(0.05) -> (0.75, 0.25).
  const auto a = torch::tensor({0.5, 0.5}, torch::kFloat).log().view({1, 1, 2});
  const auto b = torch::tensor({0.9, 0.1}, torch::kFloat).log().view({1, 1, 2});
  const auto mean = average_log_probs({a, b}).exp().flatten();
  EXPECT_NEAR(mean[0].item<double>(), 0.75, 1e-6);
  EXPECT_NEAR(mean[1].item<double>(), 0.25, 1e-6);
  // A model averaged with itself is itself; one member is returned unchanged.
  torch::manual_seed(5);
  const auto c = torch::log_softmax(torch::randn({2, 3, 41}), -1);
  EXPECT_TRUE(torch::allclose(average_log_probs({c, c}), c, 1e-6, 1e-6));
  EXPECT_TRUE(average_log_probs({c}).is_same(c));
  // Three members: the mean of the log-probabilities, renormalised per token.
  const auto d = torch::log_softmax(torch::randn({2, 3, 41}), -1);
  const auto e = torch::log_softmax(torch::randn({2, 3, 41}), -1);
  const auto expected = torch::log_softmax((c + d + e) / 3.0, -1);
  EXPECT_TRUE(torch::allclose(average_log_probs({c, d, e}), expected, 1e-6, 1e-6));
  EXPECT_THROW(average_log_probs({c, d.narrow(1, 0, 2)}), std::exception);
}

TEST(EnsembleAveraging, EndToEndCandidatesArePooledOnceAndPickedByTheMeanLogLikelihood) {
  using neuroscale::jobs::best_mean_candidate;
  using neuroscale::jobs::pool_candidates;
  EXPECT_EQ(pool_candidates({{"a b", "a c"}, {"a c", "d"}, {"a b"}}),
            (std::vector<std::string>{"a b", "a c", "d"}));
  // Member 0 prefers candidate 0 strongly, members 1 and 2 prefer candidate 1 mildly:
  // means -6, -3.33, -10 -> candidate 1.
  EXPECT_EQ(best_mean_candidate({{-1.0, -8.0, -10.0}, {-9.0, -1.0, -10.0}, {-8.0, -1.0, -10.0}}),
            1u);
  // One member alone decides; equal means go to the first.
  EXPECT_EQ(best_mean_candidate({{-3.0, -2.0}}), 1u);
  EXPECT_EQ(best_mean_candidate({{-1.0, -2.0}, {-2.0, -1.0}}), 0u);
  EXPECT_THROW(best_mean_candidate({{-1.0, -2.0}, {-1.0}}), std::exception);
}

}  // namespace
