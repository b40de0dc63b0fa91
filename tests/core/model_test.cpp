// The BIT model's pieces: patching, dropout, augmentation, subjects, parameter counts.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/error.h"
#include "core/model/augment.h"
#include "core/model/dropout.h"
#include "core/model/masked_model.h"
#include "core/model/patching.h"
#include "core/model/summary.h"

namespace ns = neuroscale;
using namespace ns::model;

TEST(Patching, TokensArePBinsTimeMajorWithPaddingMasks) {
  const auto features = torch::arange(2 * 7 * 3, torch::kFloat).view({2, 7, 3});
  const auto patched = patchify(features, torch::tensor({7, 3}, torch::kLong), 5);
  ASSERT_EQ(patched.tokens.sizes(), (std::vector<int64_t>{2, 2, 15}));
  // token 0 of trial 0 is bins 0..4, channels innermost; bins 7..9 are zero padding
  EXPECT_TRUE(torch::equal(patched.tokens[0][0], features[0].slice(0, 0, 5).reshape({15})));
  EXPECT_EQ(patched.tokens[0][1].slice(0, 6, 15).abs().sum().item<float>(), 0.0f);
  EXPECT_TRUE(torch::equal(patched.padding, torch::tensor({{false, false}, {false, true}})));
  EXPECT_TRUE(patched.bin_valid[0][1].equal(torch::tensor({true, true, false, false, false})));
  EXPECT_TRUE(torch::equal(patched.positions, torch::tensor({0, 5}, torch::kLong)));
  EXPECT_TRUE(
      torch::equal(valid_tokens(torch::tensor({7, 3, 10, 11}), 5), torch::tensor({2, 1, 2, 3})));
  EXPECT_TRUE(torch::equal(unpatchify(patched.tokens, 5, 3).slice(1, 0, 7), features));
}

TEST(Patching, RejectsLengthsOutsideTheBatch) {
  const auto features = torch::zeros({2, 7, 3});
  EXPECT_THROW(patchify(features, torch::tensor({8, 3}), 5), ns::UsageError);
  EXPECT_THROW(patchify(features, torch::tensor({0, 3}), 5), ns::UsageError);
  EXPECT_THROW(patchify(torch::zeros({7, 3}), torch::tensor({7}), 5), ns::UsageError);
}

TEST(Dropout, KeepsOneMinusPScaledAndRepeatsUnderTheSameSeed) {
  const auto x = torch::ones({1 << 20});
  torch::manual_seed(5);
  const auto a = ns::model::dropout(x, 0.4, true);
  const double kept = (a != 0).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(kept, 0.6, 0.003);
  EXPECT_NEAR(a.max().item<float>(), 1.0f / 0.6f, 1e-6);
  torch::manual_seed(5);
  EXPECT_TRUE(torch::equal(ns::model::dropout(x, 0.4, true), a));
  EXPECT_FALSE(torch::equal(ns::model::dropout(x, 0.4, true), a));  // the generator moved on
  EXPECT_TRUE(ns::model::dropout(x, 0.4, false).is_same(x));
  EXPECT_THROW(ns::model::dropout(x, 1.0, true), ns::UsageError);
}

TEST(Dropout, DoesNotDependOnTheThreadCountAndBackpropagatesTheMask) {
  // Nonzero everywhere, so that the output's zeros are exactly the dropped elements (randn
  // draws an exact 0 about once in 10 million values, and this test draws 300,001).
  torch::manual_seed(8);
  const auto x = (torch::rand({300001}) + 0.5).requires_grad_();
  const int threads = torch::get_num_threads();
  torch::set_num_threads(1);
  torch::manual_seed(9);
  const auto one = ns::model::dropout(x, 0.3, true);
  torch::set_num_threads(2);
  torch::manual_seed(9);
  const auto two = ns::model::dropout(x, 0.3, true);
  torch::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(one, two));
  two.sum().backward();
  const auto expected = (two != 0).to(torch::kFloat) / 0.7;
  EXPECT_TRUE(torch::allclose(x.grad(), expected));
}

TEST(Augment, SmoothingIsANormalisedGaussianAndPaddingStaysZero) {
  const auto kernel = gaussian_kernel(2.0);
  EXPECT_EQ(kernel.numel(), 13);
  EXPECT_NEAR(kernel.sum().item<float>(), 1.0f, 1e-6);
  auto features = torch::zeros({2, 20, 3});
  features.index_put_({0, 10, 1}, 1.0);
  features.index_put_({1, torch::indexing::Slice(0, 8)}, 1.0);
  const auto bins = torch::tensor({20, 8});
  const auto smoothed = augment(features, bins, AugmentOptions().smooth_sd(2.0), false);
  // an impulse becomes the kernel, centred
  EXPECT_TRUE(torch::allclose(smoothed[0].select(1, 1).slice(0, 4, 17), kernel));
  EXPECT_EQ(smoothed[1].slice(0, 8).abs().sum().item<float>(), 0.0f);
  // noise only while training, and never past the end
  const auto noise = AugmentOptions().white_noise(0.2).constant_offset(0.05);
  EXPECT_TRUE(augment(features, bins, noise, false).is_same(features));
  const auto noisy = augment(features, bins, noise, true);
  EXPECT_GT((noisy[1].slice(0, 0, 8) - 1).abs().sum().item<float>(), 0.0f);
  EXPECT_EQ(noisy[1].slice(0, 8).abs().sum().item<float>(), 0.0f);
}

TEST(MaskedModel, DefaultHasTheParameterCountDerivedInDocs) {
  // docs/model.md: 989,312 read-in + 6,910,208 shared + 991,488 read-out for 512 channels.
  MaskedModel model(MaskedModelOptions().encoder(BitEncoderOptions().subjects({{"t15", 512}})));
  const auto rows = summarize(*model, 2);
  EXPECT_EQ(rows.back().name, "total");
  EXPECT_EQ(rows.back().parameters, 8891008);
  std::int64_t read_in = 0;
  for (const auto& row : rows) {
    if (row.name == "encoder.read_in") read_in = row.parameters;
  }
  EXPECT_EQ(read_in, 989312);
  EXPECT_NE(format_summary(rows).find("8,891,008"), std::string::npos);
}

TEST(MaskedModel, SubjectsGetTheirOwnLayersAndWidthsAreChecked) {
  auto options = MaskedModelOptions().encoder(
      BitEncoderOptions()
          .transformer(TransformerOptions().hidden(16).layers(1).heads(2).mlp(8))
          .subjects({{"a", 3}, {"b", 4}}));
  MaskedModel model(options);
  model->eval();
  const auto positions = torch::arange(2) * 5;
  const auto padding = torch::zeros({1, 2}, torch::kBool);
  const auto out = model->forward(torch::randn({1, 2, 20}), padding, positions, 1, {});
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{1, 2, 20}));
  EXPECT_THROW(model->forward(torch::randn({1, 2, 15}), padding, positions, 1, {}), ns::UsageError);
  EXPECT_THROW(model->forward(torch::randn({1, 2, 15}), padding, positions, 2, {}), ns::UsageError);
  EXPECT_THROW(
      MaskedModel(MaskedModelOptions().encoder(BitEncoderOptions().subjects({{"a.b", 3}}))),
      ns::UsageError);
  EXPECT_THROW(
      MaskedModel(MaskedModelOptions().encoder(BitEncoderOptions().subjects({{"a", 3}, {"a", 4}}))),
      ns::UsageError);
}

TEST(MaskedModel, EvaluationIsDeterministicAndTrainingDropsOut) {
  torch::manual_seed(0);
  auto options = MaskedModelOptions().encoder(
      BitEncoderOptions()
          .transformer(TransformerOptions().hidden(16).layers(2).heads(2).mlp(8))
          .subjects({{"a", 3}}));
  MaskedModel model(options);
  const auto tokens = torch::randn({2, 4, 15});
  const auto padding = torch::tensor({{false, false, false, false}, {false, false, true, true}});
  const auto positions = torch::arange(4) * 5;
  model->eval();
  const auto a = model->forward(tokens, padding, positions, 0, {});
  EXPECT_TRUE(torch::equal(a, model->forward(tokens, padding, positions, 0, {})));
  // padded keys are ignored: changing a padded token does not change real outputs
  auto changed = tokens.clone();
  changed[1][3].fill_(100.0);
  EXPECT_TRUE(torch::allclose(model->forward(changed, padding, positions, 0, {})[1].slice(0, 0, 2),
                              a[1].slice(0, 0, 2), 1e-5, 1e-5));
  model->train();
  EXPECT_FALSE(torch::allclose(model->forward(tokens, padding, positions, 0, {}), a));
}
