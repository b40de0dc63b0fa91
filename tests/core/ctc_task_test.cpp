// The CTC fine-tuning task: the loss against a hand-computed CTC probability, the
// bookkeeping of unalignable trials and greedy phoneme errors, and that it learns.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/batch.h"
#include "core/error.h"
#include "core/optim/optimizer.h"
#include "core/task/ctc_phoneme.h"

namespace ns = neuroscale;
using namespace ns::task;

namespace {

CtcPhonemeOptions tiny_options(std::int64_t channels) {
  ns::model::TransformerOptions transformer;
  transformer.hidden(16).layers(1).heads(2).mlp(32).dropout(0.0);
  ns::model::BitEncoderOptions encoder;
  encoder.patch_size(1)
      .transformer(transformer)
      .embedding_dropout(0.0)
      .subjects({{"s0", channels}});
  CtcPhonemeOptions options;
  options.model(ns::model::CtcModelOptions().encoder(encoder));
  options.masking(SpanMaskOptions().ratio(0.0));
  return options;
}

ns::Batch make_batch(const std::vector<std::vector<int>>& labels, std::int64_t bins,
                     std::int64_t channels) {
  ns::Batch batch;
  const auto b = static_cast<std::int64_t>(labels.size());
  batch.features = torch::randn({b, bins, channels});
  batch.bins = torch::full({b}, bins, torch::kLong);
  std::int64_t longest = 0;
  for (const auto& l : labels)
    longest = std::max<std::int64_t>(longest, static_cast<std::int64_t>(l.size()));
  batch.labels = torch::zeros({b, longest}, torch::kLong);
  batch.label_lengths = torch::zeros({b}, torch::kLong);
  for (std::int64_t i = 0; i < b; ++i) {
    batch.trials.push_back(i);
    for (std::size_t j = 0; j < labels[static_cast<std::size_t>(i)].size(); ++j) {
      batch.labels[i][static_cast<std::int64_t>(j)] = labels[static_cast<std::size_t>(i)][j];
    }
    batch.label_lengths[i] = static_cast<std::int64_t>(labels[static_cast<std::size_t>(i)].size());
  }
  batch.text.assign(static_cast<std::size_t>(b), "");
  return batch;
}

}  // namespace

TEST(CtcPhonemeTask, LossIsTheHandComputedCtcProbability) {
  torch::manual_seed(0);
  CtcPhonemeTask task(tiny_options(3));
  task.module().eval();
  auto batch = make_batch({{5}}, 2, 3);  // 2 tokens, one label
  const auto out = task.forward(batch, {});
  const auto lp = task.log_probs(batch).first[0];  // [2, 41]
  // Paths for label 5 over 2 frames: (5,5), (5,blank), (blank,5).
  const double p55 = std::exp(lp[0][5].item<double>() + lp[1][5].item<double>());
  const double p5b = std::exp(lp[0][5].item<double>() + lp[1][0].item<double>());
  const double pb5 = std::exp(lp[0][0].item<double>() + lp[1][5].item<double>());
  EXPECT_NEAR(out.loss.item<double>(), -std::log(p55 + p5b + pb5), 1e-5);
  EXPECT_EQ(out.count, 1.0);
}

TEST(CtcPhonemeTask, CountsUnalignableTrialsAndGivesThemNoGradient) {
  torch::manual_seed(1);
  CtcPhonemeTask task(tiny_options(3));
  task.module().eval();
  // 3 tokens: [7, 8] fits; [7, 7] needs a blank between (3 tokens, fits); [7, 7, 7] needs 5.
  auto batch = make_batch({{7, 8}, {7, 7}, {7, 7, 7}}, 3, 3);
  const auto out = task.forward(batch, {});
  const auto sums = out.sums.to(torch::kCPU);
  EXPECT_EQ(sums[1].item<double>(), 3.0);  // trials
  EXPECT_EQ(sums[2].item<double>(), 1.0);  // unalignable
  EXPECT_EQ(sums[4].item<double>(), 7.0);  // reference phonemes
  EXPECT_TRUE(std::isfinite(out.loss.item<double>()));
  out.loss.backward();
  for (const auto& p : task.module().parameters()) {
    if (p.grad().defined()) {
      EXPECT_TRUE(torch::isfinite(p.grad()).all().item<bool>());
    }
  }
  const auto metrics = task.metrics({6.0, 3.0, 1.0, 2.0, 8.0});
  EXPECT_DOUBLE_EQ(metrics.at("loss"), 2.0);
  EXPECT_DOUBLE_EQ(metrics.at("per"), 0.25);
  EXPECT_THROW(task.forward(make_batch({{}}, 3, 3), {}), ns::DataError);
}

TEST(CtcPhonemeTask, LearnsToDecodeAFixedMapping) {
  // Each token's features point at its label; after training, greedy decoding reads them.
  torch::manual_seed(2);
  CtcPhonemeTask task(tiny_options(4));
  ns::optim::OptimizerOptions optimizer_options;
  auto optimizer = ns::optim::make_optimizer(optimizer_options, task.module(), {});
  auto batch = make_batch({{1, 2, 40}, {3, 1, 40}}, 7, 4);
  // Tokens: label, blank, label, blank, SIL... as one-hot-ish features (+ noise).
  const std::vector<std::vector<int>> frames = {{1, 0, 2, 0, 40, 0, 0}, {3, 0, 1, 0, 40, 0, 0}};
  const std::map<int, int> feature = {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {40, 0}};
  for (int b = 0; b < 2; ++b) {
    for (int t = 0; t < 7; ++t) {
      batch.features[b][t].zero_();
      const int label = frames[static_cast<std::size_t>(b)][static_cast<std::size_t>(t)];
      batch.features[b][t][feature.at(label)] = label == 40 ? -3.0 : 3.0;
    }
  }
  double first = 0, last = 0;
  for (int step = 0; step < 300; ++step) {
    optimizer->zero_grad();
    auto out = task.forward(batch, {step});
    out.loss.backward();
    optimizer->step(3e-3);
    if (step == 0) first = out.loss.item<double>();
    last = out.loss.item<double>();
  }
  EXPECT_LT(last, first * 0.1) << first << " -> " << last;
  task.module().eval();
  const auto sums = task.forward(batch, {}).sums.to(torch::kCPU);
  EXPECT_EQ(sums[3].item<double>(), 0.0) << "phoneme edits after training";
}
