// Parameter groups, optimiser bookkeeping, clipping and schedules (hand-computed values; the
// update arithmetic is checked against PyTorch by model_matches_pytorch_reference).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>

#include "core/error.h"
#include "core/model/masked_model.h"
#include "core/optim/grad_clip.h"
#include "core/optim/lr_schedule.h"
#include "core/optim/optimizer.h"

namespace ns = neuroscale;
using namespace ns::optim;

namespace {
ns::model::MaskedModel tiny_model() {
  return ns::model::MaskedModel(ns::model::MaskedModelOptions().encoder(
      ns::model::BitEncoderOptions()
          .transformer(ns::model::TransformerOptions().hidden(8).layers(1).heads(2).mlp(4))
          .subjects({{"a", 2}})));
}
}  // namespace

TEST(ParamGroups, DecayOnlyWeightMatrices) {
  auto model = tiny_model();
  const auto groups = weight_decay_groups(*model, 0.1);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].name, "decay");
  EXPECT_DOUBLE_EQ(groups[0].weight_decay, 0.1);
  for (const auto& name : groups[0].names) {
    EXPECT_TRUE(name.find("norm") == std::string::npos && name.size() > 7 &&
                name.compare(name.size() - 6, 6, "weight") == 0)
        << name;
  }
  const auto& skipped = groups[1].names;
  for (const auto* expected :
       {"encoder.mask_token", "encoder.read_in.a.norm_in.weight",
        "encoder.transformer.layers.0.attn.qkv.bias", "encoder.transformer.final_norm.bias"}) {
    EXPECT_NE(std::find(skipped.begin(), skipped.end(), expected), skipped.end()) << expected;
  }
  EXPECT_EQ(groups[0].params.size() + groups[1].params.size(), model->parameters().size());
}

TEST(Optimizer, SkipsParametersWithoutGradients) {
  auto w = torch::ones({2}, torch::requires_grad());
  auto unused = torch::ones({2}, torch::requires_grad());
  AdamW adamw({ParamGroup{"g", {"w", "unused"}, {w, unused}, 0.0, 1.0}});
  (w * w).sum().backward();
  adamw.step(0.1);
  EXPECT_TRUE(torch::equal(unused, torch::ones({2})));
  // first AdamW step moves by lr * sign(g) (m^ / sqrt(v^) = 1)
  EXPECT_TRUE(torch::allclose(w, torch::full({2}, 0.9), 1e-6, 1e-6));
  const auto state = adamw.named_state();
  ASSERT_EQ(state.size(), 6u);
  EXPECT_EQ(state[2].first, "w.step");
  EXPECT_EQ(state[2].second.item<double>(), 1.0);
  EXPECT_EQ(state[5].second.item<double>(), 0.0);
  adamw.zero_grad();
  EXPECT_EQ(w.grad().abs().sum().item<float>(), 0.0f);
  EXPECT_THROW(adamw.step(std::nan("")), ns::UsageError);
  EXPECT_THROW(make_optimizer(OptimizerOptions().name("sgd"), *tiny_model()), ns::UsageError);
}

TEST(GradClip, ScalesToTheMaximumNorm) {
  auto a = torch::zeros({2}, torch::requires_grad());
  auto b = torch::zeros({1}, torch::requires_grad());
  a.mutable_grad() = torch::tensor({3.0f, 0.0f});
  b.mutable_grad() = torch::tensor({4.0f});
  EXPECT_DOUBLE_EQ(global_grad_norm({a, b}), 5.0);
  EXPECT_DOUBLE_EQ(clip_grad_norm({a, b}, 10.0), 5.0);  // under the limit: untouched
  EXPECT_FLOAT_EQ(b.grad().item<float>(), 4.0f);
  EXPECT_DOUBLE_EQ(clip_grad_norm({a, b}, 1.0), 5.0);
  EXPECT_NEAR(global_grad_norm({a, b}), 1.0, 1e-6);
  b.mutable_grad().fill_(std::nan(""));
  EXPECT_TRUE(std::isnan(clip_grad_norm({a, b}, 1.0)));
}

TEST(LrSchedule, HandComputedPoints) {
  LrSchedule cosine(LrScheduleOptions()
                        .kind(ScheduleKind::kWarmupCosine)
                        .lr(1.0)
                        .total_steps(110)
                        .warmup_steps(10)
                        .min_lr_ratio(0.1));
  EXPECT_DOUBLE_EQ(cosine.lr(0), 0.1);
  EXPECT_DOUBLE_EQ(cosine.lr(9), 1.0);
  EXPECT_DOUBLE_EQ(cosine.lr(10), 1.0);
  EXPECT_NEAR(cosine.lr(60), 0.55, 1e-12);  // half way: (1 + 0.1) / 2
  EXPECT_NEAR(cosine.lr(110), 0.1, 1e-12);
  EXPECT_NEAR(cosine.lr(500), 0.1, 1e-12);
  LrSchedule linear(LrScheduleOptions().kind(ScheduleKind::kLinear).lr(2.0).total_steps(10));
  EXPECT_DOUBLE_EQ(linear.lr(0), 2.0);
  EXPECT_DOUBLE_EQ(linear.lr(5), 1.0);
  LrSchedule cycle(LrScheduleOptions().kind(ScheduleKind::kOneCycle).lr(1.0).total_steps(11));
  EXPECT_NEAR(cycle.lr(10), 1.0 / 25 / 1e4, 1e-15);  // ends at lr / div / final_div
  // resumable: a fresh schedule at step s gives the same rate
  EXPECT_DOUBLE_EQ(LrSchedule(cosine.options()).lr(37), cosine.lr(37));
  EXPECT_THROW(LrSchedule(LrScheduleOptions().total_steps(0)), ns::UsageError);
  EXPECT_THROW(LrSchedule(LrScheduleOptions().total_steps(5).warmup_steps(6)), ns::UsageError);
  EXPECT_THROW(parse_schedule_kind("cosine"), ns::UsageError);
}

TEST(Optimizer, PerParameterLearningRateScales) {
  // The read-out learns at the full rate, everything else (a "pretrained body") at a tenth.
  auto model = tiny_model();
  auto is_body = [](const std::string& name) { return name.rfind("read_out.", 0) != 0; };
  auto optimizer =
      make_optimizer(OptimizerOptions().weight_decay(0.0), *model, {},
                     [&](const std::string& name) { return is_body(name) ? 0.1 : 1.0; });
  std::size_t covered = 0;
  for (const auto& group : optimizer->groups()) {
    for (const auto& name : group.names)
      EXPECT_DOUBLE_EQ(group.lr_scale, is_body(name) ? 0.1 : 1.0) << name;
    covered += group.names.size();
  }
  EXPECT_EQ(covered, model->parameters().size());
  // First AdamW step with a constant gradient moves each element by lr * scale (m/sqrt(v) = 1).
  std::map<std::string, at::Tensor> before;
  for (const auto& item : model->named_parameters(true)) {
    before[item.key()] = item.value().detach().clone();
    item.value().mutable_grad() = torch::ones_like(item.value());
  }
  optimizer->step(1e-2);
  for (const auto& item : model->named_parameters(true)) {
    const double moved = (before[item.key()] - item.value().detach()).abs().max().item<double>();
    EXPECT_NEAR(moved, 1e-2 * (is_body(item.key()) ? 0.1 : 1.0), 1e-6) << item.key();
  }
}
