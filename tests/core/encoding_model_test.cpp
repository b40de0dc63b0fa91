// fit_and_score: the whole encoding model on stories with a known linear response.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/encoding/design.h"
#include "core/encoding/encoding_model.h"
#include "core/encoding/scores.h"
#include "core/error.h"

namespace neuroscale::encoding {
namespace {

struct Stories {
  std::vector<at::Tensor> features, responses;
};

// Three voxels: a delayed linear response to the z-scored features (clean), the same with
// noise (noisy), and pure noise.
Stories make_stories(const std::vector<std::int64_t>& rows, const at::Tensor& weights,
                     const std::vector<std::int64_t>& delays) {
  Stories s;
  for (const auto n : rows) {
    const auto x = at::randn({n, 3}, at::kDouble) * 2.0 + 1.0;
    const auto signal = make_delayed(zscore_columns(x), delays).mm(weights);  // [n, 1]
    const auto y = at::cat(
        {signal, signal + 0.5 * at::randn({n, 1}, at::kDouble), at::randn({n, 1}, at::kDouble)}, 1);
    s.features.push_back(x);
    s.responses.push_back(y.to(at::kFloat));
  }
  return s;
}

TEST(EncodingModel, RecoversADelayedLinearResponseAndEqualsTheStepByStepPipeline) {
  torch::manual_seed(3);
  const std::vector<std::int64_t> delays = {1, 2};
  const auto weights = at::randn({6, 1}, at::kDouble);
  const auto train = make_stories({120, 100, 90}, weights, delays);
  const auto test = make_stories({80}, weights, delays);
  RidgeOptions options;
  options.alphas(logspace(-2, 3, 11)).chunk_length(10).seed(5);
  const auto scores = fit_and_score(train.features, train.responses, test.features, test.responses,
                                    delays, options);
  ASSERT_EQ(scores.r.size(0), 3);
  EXPECT_GT(scores.r[0].item<double>(), 0.99);
  EXPECT_GT(scores.r[1].item<double>(), 0.8);
  EXPECT_LT(std::abs(scores.r[2].item<double>()), 0.3);
  EXPECT_LT(scores.alphas[0].item<double>(), scores.alphas[2].item<double>());

  // The same steps by hand: z-score per story, stack, delay, fit, predict, correlate.
  std::vector<at::Tensor> x, y;
  for (std::size_t s = 0; s < train.features.size(); ++s) {
    x.push_back(zscore_columns(train.features[s]));
    y.push_back(train.responses[s].to(at::kDouble));
  }
  const auto fit = bootstrap_ridge(make_delayed(at::cat(x), delays), at::cat(y), options);
  const auto prediction =
      predict(make_delayed(zscore_columns(test.features[0]), delays), fit.weights);
  const auto r = pearson_columns(prediction, test.responses[0].to(at::kDouble));
  EXPECT_TRUE(at::equal(r, scores.r));
  EXPECT_TRUE(at::equal(fit.alphas, scores.alphas));
}

TEST(EncodingModel, RefusesMismatchedStories) {
  const auto x = at::randn({30, 2}, at::kDouble);
  const auto y = at::randn({29, 4}, at::kDouble);
  EXPECT_THROW(fit_and_score({x}, {y}, {x}, {at::randn({30, 4}, at::kDouble)}, {1}, {}),
               UsageError);
  EXPECT_THROW(fit_and_score({x}, {}, {x}, {y}, {1}, {}), UsageError);
  EXPECT_THROW(fit_and_score({}, {}, {x}, {y}, {1}, {}), UsageError);
}

}  // namespace
}  // namespace neuroscale::encoding
