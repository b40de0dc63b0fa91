// MKL's packed GEMM for frozen weights (core/model/packed_gemm.h) against the unpacked
// products in float64: x·Wᵀ + b and the input's gradient g·W for row counts other than the
// one packed with; a LoRA layer and the causal-LM task (loss and adapter gradients) with
// packed weights against the same model unpacked; a weight changed after packing is packed
// again; bad weights are refused by name. Skipped, with the reason, where the process has
// no packed GEMM (Debian's OpenBLAS-based LibTorch).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/autocast.h"
#include "core/error.h"
#include "core/llm/causal_lm.h"
#include "core/llm/head_loss.h"
#include "core/model/lora.h"
#include "core/model/packed_gemm.h"
#include "core/task/causal_lm_task.h"

namespace ns = neuroscale;
using ns::model::PackedWeight;

namespace {

#define SKIP_WITHOUT_PACKED_GEMM()                                                          \
  if (!ns::model::packed_gemm_available())                                                  \
  GTEST_SKIP() << "this LibTorch exports no MKL packed GEMM (cblas_sgemm_pack); PyTorch's " \
                  "wheels do"

double max_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

}  // namespace

TEST(PackedGemm, ProductsMatchFloat64ForAnyRowCount) {
  SKIP_WITHOUT_PACKED_GEMM();
  torch::manual_seed(21);
  const auto weight = torch::randn({37, 53});
  const auto bias = torch::randn({37});
  const PackedWeight packed(weight, /*with_gradient=*/true);
  EXPECT_TRUE(packed.current_for(weight));
  EXPECT_GE(packed.bytes(), 2 * weight.numel() * 4);
  // Packed for 256 rows; 0, 1, 7, 256 and 1000 rows use the same packs.
  for (const std::int64_t rows : {0, 1, 7, 256, 1000}) {
    const auto x = torch::randn({rows, 53}).requires_grad_();
    const auto y = packed.linear(x, bias);
    const auto expected =
        x.detach().to(torch::kDouble).mm(weight.to(torch::kDouble).t()) + bias.to(torch::kDouble);
    ASSERT_EQ(y.sizes(), expected.sizes());
    if (rows == 0) continue;
    EXPECT_LT(max_difference(y, expected), 1e-4) << rows << " rows";
    const auto g = torch::randn({rows, 37});
    y.backward(g);
    const auto expected_gradient = g.to(torch::kDouble).mm(weight.to(torch::kDouble));
    EXPECT_LT(max_difference(x.grad(), expected_gradient), 1e-4) << rows << " rows";
    auto product = torch::full({rows, 53}, 7.0f);
    packed.times_out(product, g);
    EXPECT_LT(max_difference(product, expected_gradient), 1e-4) << rows << " rows";
    // beta = 1 accumulates into what the output held.
    auto accumulated = torch::ones({rows, 37});
    packed.times_transposed_out(accumulated, x.detach(), 1.0f);
    EXPECT_LT(max_difference(accumulated, expected - bias.to(torch::kDouble) + 1.0), 1e-4);
  }
}

TEST(PackedGemm, ForwardOnlyPackRefusesTrainingAndServesInference) {
  SKIP_WITHOUT_PACKED_GEMM();
  const auto weight = torch::randn({6, 5});
  const PackedWeight packed(weight, /*with_gradient=*/false);
  const auto x = torch::randn({3, 5}).requires_grad_();
  EXPECT_FALSE(packed.serves(x, {}));
  EXPECT_TRUE(packed.serves(x.detach(), {}));
  {
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(packed.serves(x, {}));
  }
  EXPECT_FALSE(packed.serves(x.detach().to(torch::kDouble), {}));
  {
    const ns::AutocastGuard bf16(torch::kCPU, true);
    EXPECT_FALSE(packed.serves(x.detach(), {}));
  }
  EXPECT_FALSE(packed.serves(x.detach(), torch::zeros({6}).requires_grad_()));
  auto out = torch::empty({3, 5});
  EXPECT_THROW(packed.times_out(out, torch::randn({3, 6})), ns::UsageError);
}

TEST(PackedGemm, RefusesWeightsItCannotPack) {
  SKIP_WITHOUT_PACKED_GEMM();
  auto message = [](const torch::Tensor& weight) -> std::string {
    try {
      PackedWeight packed(weight, true);
    } catch (const ns::UsageError& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_NE(message(torch::randn({4, 4}, torch::kBFloat16)).find("only a float32 CPU weight"),
            std::string::npos);
  EXPECT_NE(message(torch::randn({4})).find("[4]"), std::string::npos);
  EXPECT_FALSE(ns::model::packable(torch::randn({4, 4}).requires_grad_()));
  EXPECT_TRUE(ns::model::packable(torch::randn({4, 4})));
}

TEST(PackedGemm, LoraLinearFollowsItsWeight) {
  SKIP_WITHOUT_PACKED_GEMM();
  torch::manual_seed(22);
  ns::model::LoraLinear plain(24, 40, ns::model::LoraOptions().rank(4).alpha(8).dropout(0.0));
  plain->lora_B.data().normal_(0.0, 0.1);
  ns::model::freeze_all_but_lora(*plain);
  ns::model::LoraLinear packed(24, 40, ns::model::LoraOptions().rank(4).alpha(8).dropout(0.0));
  {
    torch::NoGradGuard no_grad;
    for (auto& item : packed->named_parameters())
      item.value().copy_(plain->named_parameters()[item.key()]);
  }
  ns::model::freeze_all_but_lora(*packed);
  EXPECT_GT(packed->pack_weight(/*with_gradient=*/true), 0);

  const auto x = torch::randn({2, 9, 24});
  auto run = [&](ns::model::LoraLinear& layer) {
    const auto input = x.clone().requires_grad_();
    const auto y = layer(input);
    y.pow(2).sum().backward();
    std::vector<torch::Tensor> out{y.detach(), input.grad(), layer->lora_A.grad().clone(),
                                   layer->lora_B.grad().clone()};
    layer->lora_A.mutable_grad().zero_();
    layer->lora_B.mutable_grad().zero_();
    return out;
  };
  auto compare = [&](const char* when) {
    const auto expected = run(plain), got = run(packed);
    for (std::size_t i = 0; i < expected.size(); ++i)
      EXPECT_TRUE(torch::allclose(got[i], expected[i], 1e-4, 1e-5))
          << when << ", output " << i << ": " << max_difference(got[i], expected[i]);
  };
  compare("as packed");
  // Modified in place (as a checkpoint load does): the next forward packs the new values.
  {
    torch::NoGradGuard no_grad;
    plain->weight.mul_(-0.5);
    packed->weight.mul_(-0.5);
  }
  compare("after an in-place change");
  // A weight that trains is not packable: the layer goes back to the plain product.
  plain->weight.set_requires_grad(true);
  packed->weight.set_requires_grad(true);
  {
    torch::NoGradGuard no_grad;
    plain->weight.add_(0.25);
    packed->weight.add_(0.25);
  }
  compare("once the weight trains");
  EXPECT_EQ(packed->pack_weight(true), 0);
}

namespace {

// The causal-LM task's loss and adapter gradients over three steps (the adapters updated
// between them), from a model with its frozen weights packed against an identical one
// unpacked.
void expect_packed_task_matches(ns::llm::CausalLmOptions options) {
  torch::manual_seed(23);
  ns::llm::CausalLm plain(options), packed(options);
  {
    torch::NoGradGuard no_grad;
    for (auto& item : plain->named_parameters()) {
      if (ns::model::is_lora_parameter(item.key())) item.value().normal_(0.0, 0.1);
      packed->named_parameters()[item.key()].copy_(item.value());
    }
  }
  ns::model::freeze_all_but_lora(*plain);
  ns::model::freeze_all_but_lora(*packed);
  const auto bytes = packed->pack_frozen_weights(/*with_gradient=*/true);
  EXPECT_GT(bytes, 2 * 4 * options.vocab() * options.hidden());
  ASSERT_NE(packed->packed_head(), nullptr);
  ns::Batch batch;
  batch.tokens = torch::randint(0, options.vocab(), {3, 7}, torch::kLong);
  batch.bins = torch::tensor({7, 5, 3}, torch::kLong);
  batch.trials = {0, 1, 2};
  ns::task::CausalLmTask plain_task(plain), packed_task(packed);

  // One step: the loss, then every adapter gradient, each adapter moved by -0.5 x its
  // gradient.
  auto step = [&](ns::task::CausalLmTask& task, ns::llm::CausalLm& model) {
    const auto loss = task.forward(batch, {0}).loss;
    loss.backward();
    std::vector<torch::Tensor> out{loss.detach()};
    torch::NoGradGuard no_grad;
    for (auto& item : model->named_parameters()) {
      if (!ns::model::is_lora_parameter(item.key())) continue;
      out.push_back(item.value().grad().clone());
      item.value().sub_(0.5 * item.value().grad());
      item.value().mutable_grad().zero_();
    }
    return out;
  };
  for (int i = 0; i < 3; ++i) {
    const auto expected = step(plain_task, plain), got = step(packed_task, packed);
    ASSERT_EQ(got.size(), expected.size());
    for (std::size_t k = 0; k < got.size(); ++k)
      EXPECT_TRUE(torch::allclose(got[k], expected[k], 1e-4, 1e-5))
          << "step " << i << ", tensor " << k << ": " << max_difference(got[k], expected[k]);
  }
  // Generation's logits (no gradient) through the head's pack.
  torch::NoGradGuard no_grad;
  EXPECT_LT(max_difference(packed->forward(batch.tokens), plain->forward(batch.tokens)), 1e-4);
}

}  // namespace

// q, k, v with biases, adapters on some projections only (the fused q/k/v pack serves
// layers with and without adapters).
TEST(PackedGemm, CausalLmTaskMatchesUnpackedWithBiasesAndSomeAdapters) {
  SKIP_WITHOUT_PACKED_GEMM();
  auto options = ns::llm::CausalLmOptions::tiny();
  options.qkv_bias(true)
      .lora(ns::model::LoraOptions().rank(4).alpha(8).dropout(0.0))
      .lora_targets({"q_proj", "v_proj", "down_proj"});
  expect_packed_task_matches(options);
}

// Adapters on all seven projections, tied head, as `lm train` with LoRA runs.
TEST(PackedGemm, CausalLmTaskMatchesUnpackedWithEveryAdapter) {
  SKIP_WITHOUT_PACKED_GEMM();
  auto options = ns::llm::CausalLmOptions::tiny();
  options.tie_embeddings(true)
      .lora(ns::model::LoraOptions().rank(4).alpha(8).dropout(0.0))
      .lora_targets({"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"});
  expect_packed_task_matches(options);
}
