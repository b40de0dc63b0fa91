// The fused head cross-entropy against log-softmax + NLL computed in float64 from the full
// logits: loss and both gradients, in one chunk and in several, with an incoming gradient
// other than 1; gradients only for the inputs that need them; bad targets name their row;
// and the causal-LM task's loss (which runs on it) against the model's own logits.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>

#include "core/error.h"
#include "core/llm/causal_lm.h"
#include "core/llm/head_loss.h"
#include "core/model/lora.h"
#include "core/task/causal_lm_task.h"

namespace ns = neuroscale;
using ns::llm::head_cross_entropy_sum;

namespace {

// sum_i -log softmax(hidden_i · headᵀ)[target_i] in float64.
torch::Tensor reference_loss(const torch::Tensor& hidden, const torch::Tensor& head,
                             const torch::Tensor& targets) {
  const auto scores =
      torch::log_softmax(hidden.to(torch::kDouble).mm(head.to(torch::kDouble).t()), 1);
  return -scores.gather(1, targets.unsqueeze(1)).sum();
}

struct Case {
  torch::Tensor hidden, head, targets;
};

Case random_case(std::int64_t rows, std::int64_t width, std::int64_t vocab) {
  torch::manual_seed(11);
  return {torch::randn({rows, width}) * 0.5, torch::randn({vocab, width}) * 0.5,
          torch::randint(0, vocab, {rows}, torch::kLong)};
}

}  // namespace

TEST(HeadLoss, MatchesLogSoftmaxInOneChunkAndInSeveral) {
  const auto c = random_case(10, 16, 37);
  const auto reference_hidden = c.hidden.to(torch::kDouble).requires_grad_();
  const auto reference_head = c.head.to(torch::kDouble).requires_grad_();
  const auto expected = reference_loss(reference_hidden, reference_head, c.targets);
  (expected * 0.5).backward();
  // 37 float32 logits are 148 bytes a row: 1 MiB is one chunk, 444 bytes three rows a chunk
  // (chunks of 3, 3, 3, 1), 1 byte one row a chunk.
  for (const std::int64_t chunk_bytes :
       {std::int64_t{1} << 20, std::int64_t{444}, std::int64_t{1}}) {
    const auto hidden = c.hidden.clone().requires_grad_();
    const auto head = c.head.clone().requires_grad_();
    const auto loss = head_cross_entropy_sum(hidden, head, c.targets, chunk_bytes);
    EXPECT_EQ(loss.scalar_type(), torch::kFloat);
    EXPECT_NEAR(loss.item<double>(), expected.item<double>(), 1e-4) << chunk_bytes;
    (loss * 0.5).backward();
    EXPECT_TRUE(
        torch::allclose(hidden.grad().to(torch::kDouble), reference_hidden.grad(), 1e-5, 1e-6))
        << chunk_bytes << "\n"
        << (hidden.grad().to(torch::kDouble) - reference_hidden.grad()).abs().max();
    EXPECT_TRUE(torch::allclose(head.grad().to(torch::kDouble), reference_head.grad(), 1e-5, 1e-6))
        << chunk_bytes << "\n"
        << (head.grad().to(torch::kDouble) - reference_head.grad()).abs().max();
  }
}

// Logits far from 0 (exp would overflow without the row's max taken out), a vocabulary
// of many vector widths plus a tail, and a row of NaN, which makes the loss NaN.
TEST(HeadLoss, LargeLogitsStayFiniteAndANanRowPropagates) {
  auto c = random_case(6, 8, 1001);
  c.hidden = c.hidden * 40.0;
  const auto expected = reference_loss(c.hidden, c.head, c.targets);
  const auto hidden = c.hidden.clone().requires_grad_();
  const auto loss = head_cross_entropy_sum(hidden, c.head, c.targets);
  EXPECT_NEAR(loss.item<double>(), expected.item<double>(), 1e-6 * expected.item<double>());
  loss.backward();
  const auto reference_hidden = c.hidden.to(torch::kDouble).requires_grad_();
  reference_loss(reference_hidden, c.head, c.targets).backward();
  EXPECT_TRUE(
      torch::allclose(hidden.grad().to(torch::kDouble), reference_hidden.grad(), 1e-4, 1e-4));
  c.hidden[2][3] = std::nan("");
  EXPECT_TRUE(std::isnan(head_cross_entropy_sum(c.hidden, c.head, c.targets).item<double>()));
}

TEST(HeadLoss, GradientsOnlyWhereNeededAndNoneWithoutGradMode) {
  const auto c = random_case(6, 8, 11);
  const auto expected = reference_loss(c.hidden, c.head, c.targets).item<double>();
  const auto hidden = c.hidden.clone().requires_grad_();
  const auto frozen_head = c.head.clone();
  head_cross_entropy_sum(hidden, frozen_head, c.targets).backward();
  EXPECT_TRUE(hidden.grad().defined());
  EXPECT_FALSE(frozen_head.grad().defined());
  {
    torch::NoGradGuard no_grad;
    const auto loss = head_cross_entropy_sum(hidden, c.head, c.targets);
    EXPECT_FALSE(loss.requires_grad());
    EXPECT_NEAR(loss.item<double>(), expected, 1e-5);
  }
  // No rows: zero loss, zero gradients.
  const auto none = torch::empty({0, 8}).requires_grad_();
  const auto empty_loss = head_cross_entropy_sum(none, c.head, torch::empty({0}, torch::kLong));
  EXPECT_EQ(empty_loss.item<float>(), 0.0f);
  empty_loss.backward();
  EXPECT_EQ(none.grad().sizes(), none.sizes());
}

TEST(HeadLoss, BFloat16WithinItsPrecision) {
  const auto c = random_case(12, 32, 50);
  const auto expected = reference_loss(c.hidden, c.head, c.targets).item<double>();
  const auto hidden = c.hidden.to(torch::kBFloat16).requires_grad_();
  const auto head = c.head.to(torch::kBFloat16).requires_grad_();
  const auto loss = head_cross_entropy_sum(hidden, head, c.targets, 200);
  // bf16 inputs and logits carry 8 mantissa bits: about 0.4% of each logit.
  EXPECT_NEAR(loss.item<double>(), expected, 0.01 * std::abs(expected));
  loss.backward();
  EXPECT_EQ(hidden.grad().scalar_type(), torch::kBFloat16);
  EXPECT_EQ(head.grad().scalar_type(), torch::kBFloat16);
}

TEST(HeadLoss, BadInputNamesWhatWasExpected) {
  const auto c = random_case(5, 4, 9);
  auto message = [&](const torch::Tensor& hidden, const torch::Tensor& head,
                     const torch::Tensor& targets) -> std::string {
    try {
      head_cross_entropy_sum(hidden, head, targets);
    } catch (const ns::UsageError& e) {
      return e.what();
    }
    return "accepted";
  };
  auto targets = c.targets.clone();
  targets[3] = 9;
  EXPECT_NE(message(c.hidden, c.head, targets)
                .find("target token 9 of row 3 is outside the "
                      "vocabulary [0, 9)"),
            std::string::npos)
      << message(c.hidden, c.head, targets);
  targets[3] = -1;
  EXPECT_NE(message(c.hidden, c.head, targets).find("row 3"), std::string::npos);
  EXPECT_NE(message(c.hidden, c.head.narrow(1, 0, 3), c.targets).find("a head [V, H]"),
            std::string::npos);
  EXPECT_NE(message(c.hidden, c.head, c.targets.narrow(0, 0, 4)).find("one int64 target"),
            std::string::npos);
}

// The task's loss and adapter gradients against the same from the model's full logits,
// on a right-padded batch (lengths 7, 4, 2 of 7): padding is neither input nor target.
TEST(HeadLoss, CausalLmTaskMatchesTheFullLogits) {
  torch::manual_seed(12);
  auto options = ns::llm::CausalLmOptions::tiny();
  options.lora(ns::model::LoraOptions().rank(4).alpha(8).dropout(0.0))
      .lora_targets({"q_proj", "down_proj"});
  ns::llm::CausalLm model(options);
  for (auto& item : model->named_parameters())
    if (ns::model::is_lora_parameter(item.key())) item.value().data().normal_(0.0, 0.1);
  ns::model::freeze_all_but_lora(*model);
  ns::Batch batch;
  batch.tokens = torch::randint(0, options.vocab(), {3, 7}, torch::kLong);
  batch.bins = torch::tensor({7, 4, 2}, torch::kLong);
  batch.trials = {0, 1, 2};
  const auto mask = torch::arange(7).unsqueeze(0).lt(batch.bins.unsqueeze(1)).to(torch::kLong);

  auto adapter_gradients = [&] {
    std::vector<torch::Tensor> out;
    for (auto& item : model->named_parameters()) {
      if (!ns::model::is_lora_parameter(item.key())) continue;
      out.push_back(item.value().grad().clone());
      item.value().mutable_grad().zero_();
    }
    return out;
  };
  const auto log_probs =
      torch::log_softmax(model->forward(batch.tokens, mask).to(torch::kDouble), -1);
  auto expected = torch::zeros({}, torch::kDouble);
  for (std::int64_t b = 0; b < 3; ++b)
    for (std::int64_t t = 0; t + 1 < batch.bins[b].item<std::int64_t>(); ++t)
      expected = expected - log_probs[b][t][batch.tokens[b][t + 1]];
  expected.backward();
  const auto expected_gradients = adapter_gradients();

  ns::task::CausalLmTask task(model);
  const auto out = task.forward(batch, {0});
  EXPECT_EQ(out.count, 6 + 3 + 1);
  EXPECT_NEAR(out.loss.item<double>(), expected.item<double>(), 1e-4);
  out.loss.backward();
  const auto gradients = adapter_gradients();
  ASSERT_EQ(gradients.size(), expected_gradients.size());
  ASSERT_FALSE(gradients.empty());
  for (std::size_t i = 0; i < gradients.size(); ++i)
    EXPECT_TRUE(torch::allclose(gradients[i], expected_gradients[i], 1e-4, 1e-6))
        << i << ": " << (gradients[i] - expected_gradients[i]).abs().max();
}
