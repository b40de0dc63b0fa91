// Span masking, the losses (hand-computed) and the masked-modelling task's bookkeeping.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/error.h"
#include "core/task/losses.h"
#include "core/task/masked_modeling.h"
#include "core/task/span_masking.h"

namespace ns = neuroscale;
using namespace ns::task;

TEST(SpanMask, MasksTheRatioOfRealTokensOnlyAndRepeatsWithTheSeed) {
  const auto valid = torch::tensor({100, 37, 1, 0}, torch::kLong);
  const auto streams = [](std::uint64_t seed) {
    std::vector<ns::Rng> rngs;
    for (std::uint64_t t = 0; t < 4; ++t)
      rngs.emplace_back(seed, std::initializer_list<std::uint64_t>{t});
    return rngs;
  };
  auto rngs = streams(3);
  const auto mask = span_mask(valid, 100, 7, SpanMaskOptions(), rngs);
  const auto counts = mask.sum(1);
  EXPECT_EQ(counts[0].item<int64_t>(), 50);
  EXPECT_EQ(counts[1].item<int64_t>(), 19);  // floor(18.5 + 0.5)
  EXPECT_EQ(counts[2].item<int64_t>(), 1);
  EXPECT_EQ(counts[3].item<int64_t>(), 0);
  EXPECT_EQ(mask[1].slice(0, 37).sum().item<int64_t>(), 0);  // never on padding
  auto same = streams(3), other = streams(4), all = streams(1);
  EXPECT_TRUE(torch::equal(span_mask(valid, 100, 7, SpanMaskOptions(), same), mask));
  EXPECT_FALSE(torch::equal(span_mask(valid, 100, 7, SpanMaskOptions(), other), mask));
  EXPECT_EQ(span_mask(valid, 100, 7, SpanMaskOptions().ratio(1.0), all).sum().item<int64_t>(), 138);
  EXPECT_THROW(span_mask(valid, 100, 7, SpanMaskOptions().ratio(1.5), all), ns::UsageError);
  ns::Rng step(5);
  const auto span = draw_span(SpanMaskOptions().max_span(15), step);
  EXPECT_TRUE(span >= 1 && span <= 15);
}

TEST(SpanMask, MasksContiguousSpans) {
  // Long spans: most masked tokens have a masked neighbour.
  std::vector<ns::Rng> rngs{ns::Rng(11)};
  const auto mask = span_mask(torch::tensor({400}), 400, 15, SpanMaskOptions(), rngs)[0];
  const auto pairs = (mask.slice(0, 1) & mask.slice(0, 0, 399)).sum().item<int64_t>();
  EXPECT_GT(pairs, 100);
}

TEST(Losses, HandComputed) {
  const auto prediction = torch::tensor({1.0f, 2.0f, 0.0f});
  const auto target = torch::tensor({0.0f, 4.0f, 3.0f});
  const auto weight = torch::tensor({1.0f, 1.0f, 0.0f});
  EXPECT_FLOAT_EQ(masked_mse_sum(prediction, target, weight).item<float>(), 5.0f);
  // exp(1) - 0 + exp(2) - 4 * 2
  EXPECT_NEAR(masked_poisson_nll_sum(prediction, target, weight, true).item<float>(),
              std::exp(1.0) + std::exp(2.0) - 8.0, 1e-5);
  // 1 - 0 + 2 - 4 log 2
  EXPECT_NEAR(masked_poisson_nll_sum(prediction, target, weight, false).item<float>(),
              3.0 - 4.0 * std::log(2.0), 1e-5);
  EXPECT_THROW(parse_reconstruction_loss("l1"), ns::UsageError);
}

TEST(MaskedModelingTask, CountsScoredElementsAndFormsMetrics) {
  torch::manual_seed(0);
  auto encoder =
      ns::model::BitEncoderOptions()
          .transformer(ns::model::TransformerOptions().hidden(16).layers(1).heads(2).mlp(8))
          .subjects({{"a", 3}});
  MaskedModelingTask task(
      MaskedModelingOptions().model(ns::model::MaskedModelOptions().encoder(encoder)));
  ns::Batch batch;
  batch.features = torch::randn({2, 12, 3});
  batch.bins = torch::tensor({12, 7});
  batch.features[1].slice(0, 7).zero_();
  batch.trials = {5, 6};
  const auto mask = task.mask_for(batch, {4});
  const auto out = task.forward(batch, {4});
  // tokens: trial 0 has 3 (bins 0-4, 5-9, 10-11), trial 1 has 2 (0-4, 5-6)
  const std::vector<int64_t> token_bins[2] = {{5, 5, 2}, {5, 2}};
  double expected = 0;
  for (int b = 0; b < 2; ++b) {
    for (std::size_t t = 0; t < token_bins[b].size(); ++t) {
      if (mask[b][t].item<bool>()) expected += token_bins[b][t] * 3;
    }
  }
  EXPECT_DOUBLE_EQ(out.count, expected);
  EXPECT_DOUBLE_EQ(task.count(batch, {4}), expected);  // known before forward
  EXPECT_TRUE(task.subject_specific("read_out.a.linear.weight"));
  EXPECT_FALSE(task.subject_specific("encoder.transformer.final_norm.weight"));
  EXPECT_EQ(out.sums[1].item<double>(), expected);
  EXPECT_TRUE(torch::equal(task.mask_for(batch, {4}), mask));  // keyed by step and trial
  // a trial's mask does not depend on its micro-batch
  ns::Batch alone;
  alone.features = batch.features.slice(0, 1, 2);
  alone.bins = batch.bins.slice(0, 1, 2);
  alone.trials = {6};
  EXPECT_TRUE(torch::equal(task.mask_for(alone, {4})[0].slice(0, 0, 2), mask[1].slice(0, 0, 2)));
  const auto metrics = task.metrics({10.0, 5.0, 10.0, 5.0, 10.0});
  EXPECT_DOUBLE_EQ(metrics.at("masked_mse"), 2.0);
  EXPECT_DOUBLE_EQ(metrics.at("r2"), 1.0 - 10.0 / 5.0);  // variance sum = 10 - 25 / 5
  EXPECT_DOUBLE_EQ(metrics.at("loss"), 2.0);
}
