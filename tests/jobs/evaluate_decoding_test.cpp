// Ensembles: the averaging of phoneme log-probabilities, on distributions whose normalised
// geometric mean is known by hand, the pooling and choice of end-to-end candidates, and their
// acoustic scores.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/decode/ctc_score.h"
#include "core/decode/lexicon.h"
#include "jobs/evaluate_decoding.h"
#include "jobs/sentence_decoding.h"

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

TEST(AcousticScoring, OrdersEndToEndCandidatesByScorePlusScaledCtcLogLikelihood) {
  using neuroscale::jobs::AcousticScoring;
  using neuroscale::jobs::Candidate;
  neuroscale::decode::Lexicon lexicon;
  lexicon.add("aa", {1});
  lexicon.add("b", {2});
  // One trial of 4 tokens, 3 valid: the first three spell "b SIL"; the fourth (padding)
  // would spell "aa".
  auto logits = torch::full({1, 4, 41}, -10.0);
  logits[0][0][2] = 5.0;
  logits[0][1][40] = 5.0;
  logits[0][2][0] = 5.0;
  logits[0][3][1] = 5.0;
  const auto log_probs = torch::log_softmax(logits, -1);
  const auto valid = torch::tensor({3}, torch::kLong);
  auto make = [](const std::string& text, double score) {
    Candidate c;
    c.text = text;
    c.score = c.log_probability = c.total = score;
    return c;
  };
  std::vector<std::vector<Candidate>> candidates = {
      {make("zzz", -0.1), make("aa", -1.0), make("B", -1.5)}};
  neuroscale::jobs::score_acoustics(candidates, log_probs, valid, {&lexicon, 1.0});
  const auto& ranked = candidates[0];
  ASSERT_EQ(ranked.size(), 3u);
  EXPECT_EQ(ranked[0].text, "B");  // the acoustics outweigh 0.5 nats of LM score
  EXPECT_EQ(ranked[1].text, "aa");
  EXPECT_EQ(ranked[2].text, "zzz");  // out of the lexicon: last, whatever its score
  EXPECT_TRUE(ranked[2].out_of_lexicon);
  const auto frames = log_probs[0].slice(0, 0, 3);
  const auto expected = neuroscale::decode::ctc_log_likelihoods(frames, {{2, 40}, {1, 40}});
  EXPECT_NEAR(ranked[0].acoustic, expected[0], 1e-9);
  EXPECT_NEAR(ranked[1].acoustic, expected[1], 1e-9);
  EXPECT_NEAR(ranked[0].total, -1.5 + expected[0], 1e-9);
  EXPECT_GT(expected[0], -0.01);  // "b SIL" is what the three valid tokens say
  EXPECT_LT(expected[1], -10.0);
  // A scale small enough leaves the LM's order (the out-of-lexicon candidate still last).
  std::vector<std::vector<Candidate>> again = {
      {make("zzz", -0.1), make("aa", -1.0), make("B", -1.5)}};
  neuroscale::jobs::score_acoustics(again, log_probs, valid, {&lexicon, 1e-4});
  EXPECT_EQ(again[0][0].text, "aa");
  EXPECT_EQ(again[0][1].text, "B");
  EXPECT_EQ(again[0][2].text, "zzz");
}
