// The causal LM's own invariants (core/llm), on tiny random models: incremental decoding
// with the KV cache equals the full forward, left padding changes nothing for real tokens,
// generation equals a plain arg-max loop without a cache, continuation scores equal sums of
// the full forward's log-probabilities, and bad options name their field. (Agreement with
// transformers: llm_matches_transformers.)
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/check.h"
#include "core/llm/causal_lm.h"
#include "core/llm/generation.h"
#include "core/llm/scoring.h"

namespace neuroscale::llm {
namespace {

CausalLm tiny(bool tied = false, bool bias = true, std::uint64_t seed = 3) {
  torch::manual_seed(seed);
  auto options = CausalLmOptions::tiny();
  options.tie_embeddings(tied).qkv_bias(bias);
  CausalLm model(options);
  // Sharper than the default initialisation, so arg-max choices are far from ties.
  torch::NoGradGuard no_grad;
  for (auto& p : model->parameters()) p.mul_(8.0);
  model->eval();
  return model;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(CausalLm, CachedDecodingEqualsTheFullForward) {
  torch::NoGradGuard no_grad;
  auto model = tiny();
  const auto ids = at::randint(0, 512, {2, 9}, at::kLong);
  const auto full = model->forward(ids);
  KvCache cache;
  std::vector<at::Tensor> steps = {model->forward(ids.narrow(1, 0, 5), {}, &cache)};
  for (int t = 5; t < 9; ++t) steps.push_back(model->forward(ids.narrow(1, t, 1), {}, &cache));
  EXPECT_EQ(cache.length(), 9);
  const auto incremental = at::cat(steps, 1);
  EXPECT_LT((incremental - full).abs().max().item<double>(),
            1e-5 * full.abs().max().item<double>());
}

TEST(CausalLm, LeftPaddingLeavesRealTokensUnchanged) {
  torch::NoGradGuard no_grad;
  auto model = tiny(true, false);
  const std::vector<std::int64_t> prompt = {7, 300, 12, 45};
  const auto alone = model->forward(at::tensor(prompt).unsqueeze(0));
  const auto [ids, mask] = left_pad({prompt, {1, 2, 3, 4, 5, 6, 7}}, 0);
  const auto batched = model->forward(ids, mask);
  // Equal up to float rounding relative to the logits' scale: on AVX2 machines the prompt
  // alone (4 rows) takes the few-rows kernel and the padded batch the BLAS product, whose
  // sums run in another order (7e-7 of the largest logit measured).
  EXPECT_LT((batched[0].narrow(0, 3, 4) - alone[0]).abs().max().item<double>(),
            1e-5 * alone.abs().max().item<double>());
}

TEST(CausalLm, GreedyGenerationEqualsAnArgMaxLoopWithoutCache) {
  torch::NoGradGuard no_grad;
  auto model = tiny();
  const std::vector<std::vector<std::int64_t>> prompts = {{5, 6, 7}, {400, 2}};
  GenerationOptions options;
  options.max_new_tokens(6).eos({511});
  const auto generated = generate(*model, prompts, options);
  for (std::size_t b = 0; b < prompts.size(); ++b) {
    auto sequence = prompts[b];
    std::vector<std::int64_t> expected;
    double log_probability = 0;
    for (int step = 0; step < 6; ++step) {
      const auto logits = model->forward(at::tensor(sequence).unsqueeze(0))[0][-1];
      const auto next = logits.argmax().item<std::int64_t>();
      log_probability += at::log_softmax(logits, -1)[next].item<double>();
      expected.push_back(next);
      sequence.push_back(next);
      if (next == 511) break;
    }
    EXPECT_EQ(generated[b].front().tokens, expected) << "prompt " << b;
    EXPECT_NEAR(generated[b].front().log_probability, log_probability, 1e-4);
  }
}

TEST(CausalLm, BeamSearchReturnsNBestSortedAndItsBestBeatsGreedy) {
  torch::NoGradGuard no_grad;
  auto model = tiny(true);
  GenerationOptions greedy_options, beam_options;
  greedy_options.max_new_tokens(5).eos({511});
  beam_options.max_new_tokens(5).eos({511}).beams(4).nbest(3).length_penalty(0.0);
  const auto greedy = generate(*model, {{9, 8, 7}}, greedy_options)[0][0];
  const auto beams = generate(*model, {{9, 8, 7}}, beam_options)[0];
  ASSERT_EQ(beams.size(), 3u);
  for (std::size_t k = 1; k < beams.size(); ++k) EXPECT_GE(beams[k - 1].score, beams[k].score);
  // Length penalty 0: scores are summed log-probabilities, comparable with greedy's.
  EXPECT_GE(beams[0].score, greedy.log_probability - 1e-6);
}

TEST(CausalLm, ContinuationScoresAreSumsOfTheFullForward) {
  torch::NoGradGuard no_grad;
  auto model = tiny();
  const std::vector<std::vector<std::int64_t>> prefixes = {{1}, {1, 20, 21}};
  const std::vector<std::vector<std::int64_t>> continuations = {{30, 31, 32, 33}, {40}};
  const auto scores = score_continuations(*model, prefixes, continuations, 1);
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    auto sequence = prefixes[i];
    sequence.insert(sequence.end(), continuations[i].begin(), continuations[i].end());
    const auto log_probs =
        at::log_softmax(model->forward(at::tensor(sequence).unsqueeze(0))[0], -1);
    double expected = 0;
    for (std::size_t j = 0; j < continuations[i].size(); ++j) {
      expected +=
          log_probs[static_cast<std::int64_t>(prefixes[i].size() + j - 1)][continuations[i][j]]
              .item<double>();
    }
    EXPECT_NEAR(scores[i].log_probability, expected, 1e-4);
    EXPECT_EQ(scores[i].tokens, static_cast<std::int64_t>(continuations[i].size()));
  }
  // Batched (right padding) equals one at a time.
  const auto batched = score_continuations(*model, prefixes, continuations, 8);
  for (std::size_t i = 0; i < prefixes.size(); ++i) {
    EXPECT_NEAR(batched[i].log_probability, scores[i].log_probability, 1e-4);
  }
}

TEST(CausalLm, BadOptionsAndInputsNameWhatIsWrong) {
  auto options = CausalLmOptions::tiny();
  options.kv_heads(3);
  EXPECT_NE(error_of([&] { options.validate(); })
                .find("num_attention_heads (4) must be a multiple of "
                      "num_key_value_heads (3)"),
            std::string::npos);
  options = CausalLmOptions::tiny();
  options.lora_targets({"q_prj"});
  EXPECT_NE(error_of([&] { options.validate(); }).find("did you mean 'q_proj'"), std::string::npos);
  options = CausalLmOptions::tiny();
  options.eos({512});
  EXPECT_NE(
      error_of([&] { options.validate(); }).find("eos_token_id 512 is outside the vocabulary"),
      std::string::npos);
  auto model = tiny();
  GenerationOptions generation;
  generation.beams(2).nbest(3);
  EXPECT_NE(error_of([&] {
              generate(*model, {{1, 2}}, generation);
            }).find("generation.nbest must be in [1"),
            std::string::npos);
  generation = GenerationOptions().max_new_tokens(250);
  EXPECT_NE(error_of([&] {
              generate(*model, {{1, 2, 3, 4, 5, 6, 7}}, generation);
            }).find("exceeds the model's context"),
            std::string::npos);
  EXPECT_NE(error_of([&] { score_continuations(*model, {{}}, {{1}}); }).find("the prefix is empty"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              generate(*model, {{1, 999}}, GenerationOptions());
            }).find("token 999 is outside"),
            std::string::npos);
}

TEST(CausalLm, LoraAdaptersStartAsTheBaseAndAreTheOnlyTrainableParameters) {
  auto options = CausalLmOptions::tiny();
  options.lora(model::LoraOptions().rank(4).alpha(8).dropout(0.0))
      .lora_targets({"q_proj", "v_proj", "down_proj"});
  torch::manual_seed(5);
  CausalLm adapted(options);
  CausalLm base(CausalLmOptions::tiny());
  std::int64_t adapters = 0;
  {
    torch::NoGradGuard no_grad;
    auto base_parameters = base->named_parameters();
    for (const auto& item : adapted->named_parameters()) {
      if (model::is_lora_parameter(item.key())) {
        ++adapters;
      } else {
        base_parameters[item.key()].copy_(item.value());
      }
    }
  }
  EXPECT_EQ(adapters, 2 * 3 * options.layers());
  const auto ids = at::randint(0, 512, {2, 6}, at::kLong);
  // lora_B starts at zero: the adapted model computes the base model's function.
  EXPECT_TRUE(at::allclose(adapted->forward(ids), base->forward(ids), 1e-5, 1e-5));
  EXPECT_GT(model::freeze_all_but_lora(*adapted), 0);
  for (const auto& item : adapted->named_parameters()) {
    EXPECT_EQ(item.value().requires_grad(), model::is_lora_parameter(item.key())) << item.key();
  }
  // Gradients reach the adapters (lora_B first: lora_A's gradient is zero while B is).
  adapted->forward(ids).sum().backward();
  for (const auto& item : adapted->named_parameters()) {
    if (item.key().find("lora_B") != std::string::npos) {
      ASSERT_TRUE(item.value().grad().defined()) << item.key();
      EXPECT_GT(item.value().grad().abs().sum().item<double>(), 0.0) << item.key();
    }
  }
}

}  // namespace
}  // namespace neuroscale::llm
