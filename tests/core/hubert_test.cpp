// HuBERT's masked prediction (core/model/hubert.h, core/task/hubert_task.h): the logits are
// cosine similarities over a temperature, masked frames see only the mask embedding, the
// masks are a function of (seed, step, utterance) with exactly the promised count, and the
// loss is the cross-entropy of the masked frames alone.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "core/error.h"
#include "core/model/hubert.h"
#include "core/task/hubert_task.h"

namespace neuroscale {
namespace {

model::HubertOptions tiny() {
  return model::HubertOptions()
      .backbone(model::Wav2Vec2Options::tiny())
      .clusters(7)
      .final_dim(5)
      .temperature(0.1);
}

TEST(Hubert, LogitsAreCosineSimilaritiesOverTheTemperature) {
  torch::manual_seed(1);
  model::HubertPretraining m(tiny());
  const at::Tensor audio = at::randn({2, 3200});
  at::Tensor logits;
  {
    torch::NoGradGuard no_grad;
    logits = m->forward(audio);
    const at::Tensor hidden = m->hubert->forward(audio).back();  // no mask: the plain backbone
    const at::Tensor p = m->final_proj(hidden);                  // [2, T, 5]
    for (std::int64_t b = 0; b < 2; ++b) {
      for (std::int64_t t = 0; t < p.size(1); ++t) {
        for (std::int64_t k = 0; k < 7; ++k) {
          const double cosine = at::cosine_similarity(p[b][t], m->label_embs[k], 0).item<double>();
          EXPECT_NEAR(logits[b][t][k].item<double>(), cosine / 0.1, 1e-4);
        }
      }
    }
  }
  EXPECT_EQ(logits.sizes(), at::IntArrayRef({2, m->hubert->frames(3200), 7}));
}

TEST(Hubert, MaskedFramesSeeOnlyTheMaskEmbedding) {
  torch::manual_seed(2);
  model::HubertPretraining m(tiny());
  torch::NoGradGuard no_grad;
  const std::int64_t frames = m->hubert->frames(3200);
  const at::Tensor all = at::ones({1, frames}, at::kBool);
  // Every frame masked: the encoder's input is the same embedding whatever the audio.
  const at::Tensor a = m->forward(at::randn({1, 3200}), all);
  const at::Tensor b = m->forward(at::randn({1, 3200}) * 3, all);
  EXPECT_TRUE(at::allclose(a, b, 1e-5, 1e-5));
  // One frame masked: its logits change, and the mask embedding is what it sees.
  const at::Tensor audio = at::randn({1, 3200});
  at::Tensor one = at::zeros({1, frames}, at::kBool);
  one[0][3] = true;
  EXPECT_FALSE(at::allclose(m->forward(audio, one), m->forward(audio)));
  const at::Tensor before = m->forward(audio, one);
  m->masked_spec_embed.data().add_(1.0);
  EXPECT_FALSE(at::allclose(m->forward(audio, one), before));
  EXPECT_THROW(m->forward(audio, at::zeros({1, frames + 1}, at::kBool)), UsageError);
  EXPECT_THROW(model::HubertPretraining(tiny().clusters(1)), ConfigError);
}

Batch batch_of(const std::vector<std::int64_t>& ids, std::int64_t samples, std::int64_t frames) {
  Batch batch;
  batch.trials = ids;
  const auto n = static_cast<std::int64_t>(ids.size());
  batch.features = at::randn({n, samples, 1});
  batch.labels = at::randint(0, 7, {n, frames}, at::kLong);
  batch.bins = at::full({n}, frames, at::kLong);
  return batch;
}

TEST(HubertTask, MasksAreKeyedByStepAndUtterance) {
  torch::manual_seed(3);
  task::HubertTask task(model::HubertPretraining(tiny()),
                        task::HubertMaskOptions().ratio(0.55).span(4), 9);
  const std::int64_t frames = task.model()->hubert->frames(6400);  // 19
  const Batch pair = batch_of({5, 8}, 6400, frames);
  const Batch alone = batch_of({8}, 6400, frames);
  const at::Tensor mask = task.mask(pair, 3);
  EXPECT_TRUE(mask[1].equal(task.mask(alone, 3)[0]));  // utterance 8 alone or not
  EXPECT_FALSE(mask.equal(task.mask(pair, 4)));        // another step, another mask
  const auto expected =
      static_cast<std::int64_t>(std::floor(0.55 * static_cast<double>(frames) + 0.5));
  EXPECT_EQ(mask[0].sum().item<std::int64_t>(), expected);
  EXPECT_EQ(mask[1].sum().item<std::int64_t>(), expected);
  EXPECT_DOUBLE_EQ(task.count(pair, {3}), 2.0 * static_cast<double>(expected));
}

TEST(HubertTask, LossIsTheCrossEntropyOfMaskedFramesOnly) {
  torch::manual_seed(4);
  task::HubertTask task(model::HubertPretraining(tiny()),
                        task::HubertMaskOptions().ratio(0.5).span(3), 2);
  task.module().eval();
  const std::int64_t frames = task.model()->hubert->frames(4800);
  const Batch batch = batch_of({0, 1, 2}, 4800, frames);
  const auto out = task.forward(batch, {7});
  const at::Tensor mask = task.mask(batch, 7);
  torch::NoGradGuard no_grad;
  const at::Tensor logits = task.model()->forward(batch.features.squeeze(2), mask);
  double loss = 0, correct_masked = 0, correct_unmasked = 0;
  for (std::int64_t b = 0; b < 3; ++b) {
    for (std::int64_t t = 0; t < frames; ++t) {
      const std::int64_t label = batch.labels[b][t].item<std::int64_t>();
      const bool hit = logits[b][t].argmax().item<std::int64_t>() == label;
      if (mask[b][t].item<bool>()) {
        loss -= at::log_softmax(logits[b][t], 0)[label].item<double>();
        correct_masked += hit;
      } else {
        correct_unmasked += hit;
      }
    }
  }
  EXPECT_NEAR(out.loss.item<double>(), loss, 1e-3);
  EXPECT_DOUBLE_EQ(out.count, task.count(batch, {7}));
  const auto sums = out.sums.to(at::kCPU);
  EXPECT_DOUBLE_EQ(sums[1].item<double>(), out.count);
  EXPECT_DOUBLE_EQ(sums[2].item<double>(), correct_masked);
  EXPECT_DOUBLE_EQ(sums[4].item<double>(), correct_unmasked);
  const auto metrics =
      task.metrics({loss, out.count, correct_masked, 3.0 * frames - out.count, correct_unmasked});
  EXPECT_NEAR(metrics.at("loss"), loss / out.count, 1e-12);
  Batch bad = batch;
  bad.labels = bad.labels.clone();
  bad.labels[0][0] = 7;  // outside the 7 clusters
  EXPECT_THROW(task.forward(bad, {7}), UsageError);
}

}  // namespace
}  // namespace neuroscale
