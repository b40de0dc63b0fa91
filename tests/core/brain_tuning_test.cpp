// The brain-tuning task on a tiny speech model: the loss is the sum of squared errors of
// model->forward against the batch's responses, the sums land in the batch's participant's
// slot only, the metrics by hand (loss, loss_<participant>, spatial_r), gradients reach the
// adapters and the head alone after freeze_backbone(), and malformed batches are refused.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/model/lora.h"
#include "core/task/brain_tuning.h"

namespace {

namespace ns = neuroscale;
using ns::task::BrainTuningOptions;
using ns::task::BrainTuningTask;

constexpr std::int64_t kVoxels = 5;
constexpr std::int64_t kSamples = 4000;  // 12 frames of the 50 Hz encoder
const std::vector<std::string> kParticipants = {"UTS01", "UTS02", "UTS03"};

BrainTuningOptions tiny_options() {
  ns::model::SpeechVoxelModelOptions model;
  model.backbone(ns::model::Wav2Vec2Options::tiny().lora(ns::model::LoraOptions().rank(4)));
  model.voxels(kVoxels);
  return BrainTuningOptions().model(model).participants(kParticipants);
}

ns::Batch make_batch(std::int32_t participant, std::int64_t b = 3) {
  ns::Batch batch;
  batch.subject = participant;
  for (std::int64_t i = 0; i < b; ++i) batch.trials.push_back(i);
  batch.features = torch::randn({b, kSamples, 1});
  batch.targets = torch::randn({b, kVoxels});
  batch.bins = torch::ones({b}, torch::kLong);
  return batch;
}

std::vector<double> to_vector(const at::Tensor& sums) {
  const auto s = sums.to(at::kDouble).contiguous();
  return {s.data_ptr<double>(), s.data_ptr<double>() + s.numel()};
}

// Mean over samples of the Pearson r across voxels, by explicit loops.
double mean_spatial_r(const at::Tensor& prediction, const at::Tensor& target) {
  const auto p = prediction.to(at::kDouble).contiguous();
  const auto t = target.to(at::kDouble).contiguous();
  double total = 0.0;
  for (std::int64_t i = 0; i < p.size(0); ++i) {
    double mp = 0, mt = 0;
    for (std::int64_t v = 0; v < p.size(1); ++v)
      mp += p[i][v].item<double>(), mt += t[i][v].item<double>();
    mp /= static_cast<double>(p.size(1)), mt /= static_cast<double>(p.size(1));
    double spt = 0, spp = 0, stt = 0;
    for (std::int64_t v = 0; v < p.size(1); ++v) {
      const double dp = p[i][v].item<double>() - mp, dt = t[i][v].item<double>() - mt;
      spt += dp * dt, spp += dp * dp, stt += dt * dt;
    }
    total += spt / std::sqrt(spp * stt);
  }
  return total / static_cast<double>(p.size(0));
}

TEST(BrainTuningTask, LossSumsAndMetricsMatchAHandComputation) {
  torch::manual_seed(122);
  BrainTuningTask task(tiny_options());
  task.model()->freeze_backbone();
  {
    // A non-zero adapter update, so the adapters take part in the prediction.
    torch::NoGradGuard no_grad;
    for (auto& item : task.module().named_parameters()) {
      if (item.key().find("lora_B") != std::string::npos) item.value().normal_(0.0, 0.1);
    }
  }
  task.module().eval();  // no adapter dropout: forward() and the hand computation agree
  const auto batch = make_batch(1);
  const auto out = task.forward(batch, {});

  const auto prediction = task.model()->forward(batch.features.squeeze(2)).detach();
  ASSERT_EQ(prediction.sizes(), (std::vector<std::int64_t>{3, kVoxels}));
  const double sse = (prediction - batch.targets).pow(2).sum().item<double>();
  EXPECT_NEAR(out.loss.item<double>(), sse, 1e-6 * sse);
  EXPECT_EQ(out.count, 3.0 * kVoxels);
  EXPECT_EQ(task.count(batch, {}), 3.0 * kVoxels);

  const auto names = task.sum_names();
  ASSERT_EQ(names.size(), 4u + 2u * kParticipants.size());
  ASSERT_EQ(out.sums.numel(), static_cast<std::int64_t>(names.size()));
  EXPECT_EQ(out.sums.scalar_type(), at::kDouble);
  const auto sums = to_vector(out.sums);
  EXPECT_NEAR(sums[0], sse, 1e-6 * sse);
  EXPECT_EQ(sums[1], 15.0);
  EXPECT_EQ(sums[3], 3.0);
  const double r = mean_spatial_r(prediction, batch.targets);
  EXPECT_NEAR(sums[2] / sums[3], r, 1e-6);
  // Participant 1 (UTS02) alone carries the per-participant sums.
  for (std::size_t p = 0; p < kParticipants.size(); ++p) {
    EXPECT_EQ(names[4 + 2 * p], "squared_error:" + kParticipants[p]);
    EXPECT_EQ(names[5 + 2 * p], "elements:" + kParticipants[p]);
    EXPECT_EQ(sums[4 + 2 * p], p == 1 ? sums[0] : 0.0) << kParticipants[p];
    EXPECT_EQ(sums[5 + 2 * p], p == 1 ? 15.0 : 0.0) << kParticipants[p];
  }

  const auto metrics = task.metrics(sums);
  EXPECT_NEAR(metrics.at("loss"), sse / 15.0, 1e-6 * sse);
  EXPECT_NEAR(metrics.at("spatial_r"), r, 1e-6);
  EXPECT_NEAR(metrics.at("loss_UTS02"), sse / 15.0, 1e-6 * sse);
  EXPECT_EQ(metrics.count("loss_UTS01"), 0u);
  EXPECT_EQ(metrics.count("loss_UTS03"), 0u);
  EXPECT_EQ(metrics.size(), 3u);

  // Totals over two batches of different participants: each participant's own mean.
  const auto other = make_batch(2, 2);
  const auto second = to_vector(task.forward(other, {}).sums);
  std::vector<double> totals(sums.size());
  for (std::size_t i = 0; i < totals.size(); ++i) totals[i] = sums[i] + second[i];
  const auto both = task.metrics(totals);
  EXPECT_NEAR(both.at("loss"), (sums[0] + second[0]) / 25.0, 1e-9);
  EXPECT_NEAR(both.at("loss_UTS02"), sums[0] / 15.0, 1e-9);
  EXPECT_NEAR(both.at("loss_UTS03"), second[0] / 10.0, 1e-9);
  EXPECT_EQ(both.count("loss_UTS01"), 0u);
  EXPECT_NEAR(both.at("spatial_r"), (sums[2] + second[2]) / 5.0, 1e-9);
}

TEST(BrainTuningTask, GradientsReachTheAdaptersAndTheHeadOnly) {
  torch::manual_seed(7);
  BrainTuningTask task(tiny_options());
  const auto trainable = task.model()->freeze_backbone();
  task.module().train();
  const auto out = task.forward(make_batch(0), {});
  out.loss.backward();

  std::int64_t with_grad = 0, adapters_b = 0, heads = 0, adapters_a = 0;
  for (const auto& item : task.module().named_parameters()) {
    const auto& name = item.key();
    const auto& grad = item.value().grad();
    const bool adapter = ns::model::is_lora_parameter(name);
    const bool head = name.rfind("head.", 0) == 0;
    if (!adapter && !head) {
      EXPECT_FALSE(item.value().requires_grad()) << name;
      EXPECT_FALSE(grad.defined()) << name << " received a gradient";
      continue;
    }
    EXPECT_TRUE(item.value().requires_grad()) << name;
    ASSERT_TRUE(grad.defined()) << name << " received no gradient";
    with_grad += item.value().numel();
    if (name.find("lora_A") != std::string::npos) {
      ++adapters_a;  // lora_B starts at zero, so lora_A's first gradient is zero too
    } else {
      EXPECT_GT(grad.abs().sum().item<double>(), 0.0) << name;
      (head ? heads : adapters_b) += 1;
    }
  }
  EXPECT_EQ(with_grad, trainable);
  EXPECT_EQ(adapters_a, 2 * 4);  // 2 layers x q/k/v/out
  EXPECT_EQ(adapters_b, 2 * 4);
  EXPECT_EQ(heads, 2);  // weight and bias
}

TEST(BrainTuningTask, RefusesMalformedBatches) {
  torch::manual_seed(1);
  BrainTuningTask task(tiny_options());
  task.module().eval();
  auto bad = make_batch(0);
  bad.features = torch::randn({3, kSamples});  // not [B, N, 1]
  EXPECT_THROW(task.forward(bad, {}), ns::Error);
  bad = make_batch(0);
  bad.features = torch::randn({3, kSamples, 2});
  EXPECT_THROW(task.forward(bad, {}), ns::Error);
  bad = make_batch(0);
  bad.targets = at::Tensor();  // no responses
  EXPECT_THROW(task.forward(bad, {}), ns::Error);
  EXPECT_EQ(task.count(bad, {}), 0.0);
  bad = make_batch(0);
  bad.targets = torch::randn({2, kVoxels});  // one row short
  EXPECT_THROW(task.forward(bad, {}), ns::Error);
  bad = make_batch(0);
  bad.targets = torch::randn({3, kVoxels + 1});  // not the head's voxels
  EXPECT_THROW(task.forward(bad, {}), ns::Error);
  bad = make_batch(3);  // three participants: 0..2
  EXPECT_THROW(task.forward(bad, {}), ns::Error);
  bad = make_batch(-1);
  EXPECT_THROW(task.forward(bad, {}), ns::Error);
  EXPECT_NO_THROW(task.forward(make_batch(2), {}));
  EXPECT_THROW(BrainTuningTask(BrainTuningOptions().model(tiny_options().model())),
               ns::ConfigError);
}

}  // namespace
