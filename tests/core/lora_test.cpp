// LoRA adapters: a fresh adapter is the base Linear, the scaled update by hand, dropout only
// while training, and freezing that leaves gradients to the adapters alone.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/error.h"
#include "core/model/lora.h"
#include "core/model/lora_update.h"
#include "core/model/wav2vec2.h"

namespace ns = neuroscale;
using ns::model::LoraLinear;
using ns::model::LoraOptions;

TEST(Lora, FreshAdapterEqualsTheBaseLinear) {
  torch::manual_seed(3);
  LoraLinear layer(6, 5, LoraOptions().rank(4));
  layer->train();  // dropout active: B = 0 still adds nothing
  EXPECT_EQ(layer->lora_A.sizes(), (std::vector<int64_t>{4, 6}));
  EXPECT_EQ(layer->lora_B.sizes(), (std::vector<int64_t>{5, 4}));
  EXPECT_EQ(layer->lora_B.abs().sum().item<float>(), 0.0f);
  // PEFT / nn.Linear: kaiming_uniform(a=√5) bounds A by 1/sqrt(in).
  EXPECT_LE(layer->lora_A.abs().max().item<float>(), 1.0 / std::sqrt(6.0));
  EXPECT_GT(layer->lora_A.abs().max().item<float>(), 0.5 / std::sqrt(6.0));
  const auto x = torch::randn({2, 3, 6});
  EXPECT_TRUE(torch::allclose(
      layer(x), torch::nn::functional::linear(x, layer->weight, layer->bias), 1e-6, 1e-6));
}

TEST(Lora, ScaledUpdateMatchesAHandComputedCase) {
  LoraLinear layer(2, 2, LoraOptions().rank(1).alpha(2.0).dropout(0.5));
  layer->eval();
  {
    torch::NoGradGuard no_grad;
    layer->weight.copy_(torch::tensor({{1.0f, 0.0f}, {0.0f, 1.0f}}));
    layer->bias.copy_(torch::tensor({0.5f, -0.5f}));
    layer->lora_A.copy_(torch::tensor({{1.0f, 2.0f}}));
    layer->lora_B.copy_(torch::tensor({{3.0f}, {4.0f}}));
  }
  EXPECT_DOUBLE_EQ(layer->scaling(), 2.0);
  // base [1.5, 0.5]; A x = 3; B (A x) = [9, 12]; times alpha / r = 2: [18, 24].
  const auto y = layer(torch::tensor({{1.0f, 1.0f}}));
  EXPECT_TRUE(torch::equal(y, torch::tensor({{19.5f, 24.5f}}))) << y;
}

TEST(Lora, DropoutActsOnlyWhileTraining) {
  torch::manual_seed(4);
  LoraLinear layer(16, 8, LoraOptions().rank(4).dropout(0.5));
  {
    torch::NoGradGuard no_grad;
    layer->lora_B.normal_();
  }
  const auto x = torch::randn({32, 16});
  const auto full = torch::nn::functional::linear(x, layer->weight, layer->bias) +
                    x.mm(layer->lora_A.t()).mm(layer->lora_B.t()) * layer->scaling();
  layer->eval();
  EXPECT_TRUE(torch::allclose(layer(x), full, 1e-5, 1e-5));
  EXPECT_TRUE(torch::equal(layer(x), layer(x)));
  layer->train();
  torch::manual_seed(5);
  const auto dropped = layer(x);
  EXPECT_FALSE(torch::allclose(dropped, full, 1e-3, 1e-3));
  // The mask comes from LibTorch's generator: the same seed gives the same output.
  torch::manual_seed(5);
  const auto again = layer(x);
  EXPECT_TRUE(torch::equal(dropped, again));
}

TEST(Lora, RankZeroIsAPlainLinearAndOptionsAreChecked) {
  LoraLinear layer(4, 3);
  EXPECT_FALSE(layer->has_adapter());
  std::vector<std::string> names;
  for (const auto& item : layer->named_parameters()) names.push_back(item.key());
  EXPECT_EQ(names, (std::vector<std::string>{"weight", "bias"}));
  try {
    LoraLinear(4, 3, LoraOptions().rank(-1));
    FAIL() << "rank -1 accepted";
  } catch (const ns::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("lora.rank"), std::string::npos) << e.what();
  }
  EXPECT_THROW(LoraLinear(4, 3, LoraOptions().rank(2).dropout(1.0)), ns::ConfigError);
  EXPECT_THROW(layer(torch::zeros({2, 5})), ns::UsageError);
}

TEST(Lora, FreezeBaseLeavesGradientsToTheAdaptersOnly) {
  torch::manual_seed(6);
  ns::model::Wav2Vec2Model model(ns::model::Wav2Vec2Options::tiny().lora(LoraOptions().rank(2)));
  const auto trainable = model->freeze_base();
  // 2 layers x 4 projections x (A [2, 32] + B [32, 2]).
  EXPECT_EQ(trainable, 2 * 4 * (2 * 32 + 32 * 2));
  EXPECT_EQ(model->lora_parameter_names().size(), 16u);
  {
    torch::NoGradGuard no_grad;  // B != 0, so A gets a non-zero gradient too
    for (auto& item : model->named_parameters()) {
      if (item.key().find("lora_B") != std::string::npos) item.value().normal_(0.0, 0.1);
    }
  }
  model->train();
  model->last_hidden_state(torch::randn({2, 1600})).square().mean().backward();
  for (const auto& item : model->named_parameters()) {
    if (ns::model::is_lora_parameter(item.key())) {
      ASSERT_TRUE(item.value().grad().defined()) << item.key();
      EXPECT_GT(item.value().grad().abs().sum().item<float>(), 0.0f) << item.key();
    } else {
      EXPECT_FALSE(item.value().requires_grad()) << item.key();
      EXPECT_FALSE(item.value().grad().defined()) << item.key();
    }
  }
}

TEST(Lora, BaseSizeRankEightHas589824AdapterValues) {
  ns::model::Wav2Vec2Model model(ns::model::Wav2Vec2Options::base().lora(LoraOptions().rank(8)));
  // 12 layers x 4 projections x 2 matrices x 768 x 8 (the brain-tuning reference's count).
  EXPECT_EQ(model->freeze_base(), 589824);
  std::int64_t base = 0;
  for (const auto& p : model->parameters()) {
    if (!p.requires_grad()) base += p.numel();
  }
  // Wav2Vec2Model-base has 94,371,712 values, 768 of them masked_spec_embed (not kept here).
  EXPECT_EQ(base, 94371712 - 768);
}

// The fused update (core/model/lora_update.h) against the composite form autograd
// differentiates itself, in float64: value and the gradients of base, x, A and B, for every
// subset of inputs that need one (the update computes only what is asked).
TEST(LoraUpdate, MatchesTheCompositeFormInValueAndEveryGradient) {
  torch::manual_seed(11);
  const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
  const auto base0 = torch::randn({37, 5}, f64), x0 = torch::randn({37, 6}, f64);
  const auto a0 = torch::randn({3, 6}, f64), b0 = torch::randn({5, 3}, f64);
  const auto g = torch::randn({37, 5}, f64);
  const double scaling = 2.5;
  for (int needs = 1; needs < 16; ++needs) {
    std::vector<torch::Tensor> fused_in, plain_in;
    for (const auto& t : {base0, x0, a0, b0}) {
      const bool wants = (needs >> fused_in.size()) & 1;
      fused_in.push_back(t.clone().set_requires_grad(wants));
      plain_in.push_back(t.clone().set_requires_grad(wants));
    }
    // The fused update adds into its base: hand it a product made for it, as LoraLinear does.
    const auto fused_base = fused_in[0] * 1.0;
    const auto fused =
        ns::model::lora_update(fused_base, fused_in[1], fused_in[2], fused_in[3], scaling);
    const auto plain = plain_in[0] + scaling * plain_in[1].mm(plain_in[2].t()).mm(plain_in[3].t());
    EXPECT_TRUE(torch::allclose(fused, plain, 1e-12, 1e-12)) << "needs " << needs;
    (fused * g).sum().backward();
    (plain * g).sum().backward();
    for (std::size_t i = 0; i < 4; ++i) {
      SCOPED_TRACE("needs " + std::to_string(needs) + ", input " + std::to_string(i));
      ASSERT_EQ(fused_in[i].grad().defined(), plain_in[i].grad().defined());
      if (plain_in[i].grad().defined()) {
        EXPECT_TRUE(torch::allclose(fused_in[i].grad(), plain_in[i].grad(), 1e-12, 1e-12));
      }
    }
  }
}

TEST(LoraUpdate, AddsIntoItsBaseAndRefusesMismatchedShapes) {
  torch::manual_seed(12);
  auto base = torch::zeros({4, 5});
  const auto x = torch::randn({4, 6}), a = torch::randn({2, 6}), b = torch::randn({5, 2});
  const auto version = base._version();
  const auto y = ns::model::lora_update(base, x, a, b, 0.5);
  EXPECT_TRUE(y.is_same(base));
  EXPECT_GT(base._version(), version);
  EXPECT_TRUE(torch::allclose(y, 0.5 * x.mm(a.t()).mm(b.t()), 1e-6, 1e-6));
  try {
    ns::model::lora_update(base, x, a, b.t(), 0.5);
    FAIL() << "a transposed B was accepted";
  } catch (const ns::UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("B [out, r]"), std::string::npos) << e.what();
  }
}
