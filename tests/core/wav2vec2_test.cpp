// The wav2vec2 / HuBERT backbone: option checks, frame arithmetic, Hugging Face parameter
// names, hidden-state layout, weight norm over dims (0, 1), waveform normalisation. The
// numerical comparison with PyTorch is in tests/io/speech_checkpoint_test.cpp.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>
#include <string>

#include "core/error.h"
#include "core/model/wav2vec2.h"

namespace ns = neuroscale;
using ns::model::Wav2Vec2Model;
using ns::model::Wav2Vec2Options;

namespace {

template <class Fn>
std::string config_error(Fn&& fn) {
  try {
    fn();
  } catch (const ns::ConfigError& e) {
    return e.what();
  }
  return "no ConfigError";
}

}  // namespace

TEST(Wav2Vec2Options, FramesFollowTheConvolutionArithmetic) {
  for (const auto& options : {Wav2Vec2Options::base(), Wav2Vec2Options::tiny()}) {
    EXPECT_EQ(options.receptive_field(), 400);
    EXPECT_EQ(options.total_stride(), 320);
    EXPECT_EQ(options.frames(160000), 499);  // 2 s clip + 8 s context
    EXPECT_EQ(options.frames(16000), 49);
    EXPECT_EQ(options.frames(400), 1);
    EXPECT_EQ(options.frames(4000), 12);
  }
  try {
    Wav2Vec2Options::base().frames(399);
    FAIL() << "399 samples accepted";
  } catch (const ns::UsageError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("399 samples"), std::string::npos) << message;
    EXPECT_NE(message.find("receptive field (400 samples)"), std::string::npos) << message;
  }
  Wav2Vec2Model model(Wav2Vec2Options::tiny());
  EXPECT_EQ(model->frames(160000), 499);
  EXPECT_THROW(model->forward(torch::zeros({1, 300})), ns::UsageError);
  EXPECT_THROW(model->forward(torch::zeros({300 * 2})), ns::UsageError);  // no batch dimension
}

TEST(Wav2Vec2Options, ValidateNamesTheBadField) {
  EXPECT_NO_THROW(Wav2Vec2Options::base().validate());
  EXPECT_NO_THROW(Wav2Vec2Options::tiny().validate());
  EXPECT_NE(config_error([] { Wav2Vec2Options().heads(5).validate(); }).find("heads (5)"),
            std::string::npos);
  EXPECT_NE(config_error([] {
              Wav2Vec2Options().pos_conv_groups(7).validate();
            }).find("pos_conv_groups (7)"),
            std::string::npos);
  EXPECT_NE(config_error([] {
              Wav2Vec2Options().conv_strides({5, 2}).validate();
            }).find("conv_strides"),
            std::string::npos);
  EXPECT_NE(config_error([] { Wav2Vec2Options().layers(0).validate(); }).find("layers"),
            std::string::npos);
  EXPECT_NE(config_error([] {
              Wav2Vec2Model(Wav2Vec2Options().lora(ns::model::LoraOptions().rank(-2)));
            }).find("lora.rank"),
            std::string::npos);
}

TEST(Wav2Vec2Model, ParameterNamesAreTheHuggingFaceKeys) {
  const auto options = Wav2Vec2Options::tiny();
  Wav2Vec2Model model(options);
  std::set<std::string> expected = {"feature_extractor.conv_layers.0.layer_norm.weight",
                                    "feature_extractor.conv_layers.0.layer_norm.bias",
                                    "feature_projection.layer_norm.weight",
                                    "feature_projection.layer_norm.bias",
                                    "feature_projection.projection.weight",
                                    "feature_projection.projection.bias",
                                    "encoder.pos_conv_embed.conv.weight_g",
                                    "encoder.pos_conv_embed.conv.weight_v",
                                    "encoder.pos_conv_embed.conv.bias",
                                    "encoder.layer_norm.weight",
                                    "encoder.layer_norm.bias"};
  for (int i = 0; i < 7; ++i) {
    expected.insert("feature_extractor.conv_layers." + std::to_string(i) + ".conv.weight");
  }
  for (int i = 0; i < 2; ++i) {
    const auto layer = "encoder.layers." + std::to_string(i) + ".";
    for (const char* leaf : {"attention.q_proj", "attention.k_proj", "attention.v_proj",
                             "attention.out_proj", "layer_norm", "feed_forward.intermediate_dense",
                             "feed_forward.output_dense", "final_layer_norm"}) {
      expected.insert(layer + leaf + ".weight");
      expected.insert(layer + leaf + ".bias");
    }
  }
  std::set<std::string> names;
  for (const auto& item : model->named_parameters()) names.insert(item.key());
  EXPECT_EQ(names, expected);
  const auto params = model->named_parameters();
  EXPECT_EQ(params["feature_extractor.conv_layers.0.conv.weight"].sizes(),
            (std::vector<int64_t>{32, 1, 10}));
  EXPECT_EQ(params["feature_extractor.conv_layers.6.conv.weight"].sizes(),
            (std::vector<int64_t>{32, 32, 2}));
  EXPECT_EQ(params["encoder.pos_conv_embed.conv.weight_g"].sizes(),
            (std::vector<int64_t>{1, 1, 16}));
  EXPECT_EQ(params["encoder.pos_conv_embed.conv.weight_v"].sizes(),
            (std::vector<int64_t>{32, 8, 16}));
  EXPECT_TRUE(model->lora_parameter_names().empty());

  // HuBERT without the projection LayerNorm has no such keys.
  Wav2Vec2Model bare(Wav2Vec2Options::tiny().feat_proj_layer_norm(false));
  EXPECT_FALSE(bare->named_parameters().contains("feature_projection.layer_norm.weight"));
}

TEST(Wav2Vec2Model, HiddenStatesFollowOutputHiddenStatesAndStopEarly) {
  torch::manual_seed(7);
  Wav2Vec2Model model(Wav2Vec2Options::tiny());
  torch::NoGradGuard no_grad;
  const auto audio = ns::model::normalize_waveform(torch::randn({2, 4000}));
  const auto all = model->forward(audio);
  ASSERT_EQ(all.size(), 3u);
  for (const auto& h : all) EXPECT_EQ(h.sizes(), (std::vector<int64_t>{2, 12, 32}));
  // Post-norm: every state leaves a LayerNorm (unit affine at initialisation).
  EXPECT_NEAR(all[0].mean(-1).abs().max().item<float>(), 0.0f, 1e-5);
  EXPECT_NEAR(all[2].var(-1, false).mean().item<float>(), 1.0f, 1e-3);
  const auto first = model->forward(audio, 1);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_TRUE(torch::equal(first[0], all[0]));
  EXPECT_TRUE(torch::equal(first[1], all[1]));
  EXPECT_EQ(model->forward(audio, 0).size(), 1u);
  EXPECT_TRUE(torch::equal(model->last_hidden_state(audio), all[2]));
  EXPECT_THROW(model->forward(audio, 3), ns::UsageError);
  // Rows are independent: no attention across the batch.
  EXPECT_TRUE(
      torch::allclose(model->forward(audio.slice(0, 1, 2))[2], all[2].slice(0, 1, 2), 1e-5, 1e-5));
}

TEST(Wav2Vec2Model, WithoutAdaptersTrainModeChangesNothing) {
  torch::manual_seed(8);
  Wav2Vec2Model model(Wav2Vec2Options::tiny());
  const auto audio = torch::randn({1, 2000});
  torch::NoGradGuard no_grad;
  model->eval();
  const auto eval = model->last_hidden_state(audio);
  model->train();  // no dropout, LayerDrop or SpecAugment in the backbone
  EXPECT_TRUE(torch::equal(model->last_hidden_state(audio), eval));

  Wav2Vec2Model adapted(
      Wav2Vec2Options::tiny().lora(ns::model::LoraOptions().rank(2).dropout(0.5)));
  for (auto& item : adapted->named_parameters()) {
    if (item.key().find("lora_B") != std::string::npos) item.value().normal_();
  }
  adapted->eval();
  const auto adapted_eval = adapted->last_hidden_state(audio);
  EXPECT_TRUE(torch::equal(adapted->last_hidden_state(audio), adapted_eval));
  adapted->train();
  EXPECT_FALSE(torch::allclose(adapted->last_hidden_state(audio), adapted_eval, 1e-4, 1e-4));
}

TEST(Wav2Vec2Model, PositionalWeightNormRunsOverDimsZeroAndOne) {
  torch::manual_seed(9);
  ns::model::WeightNormConv1d conv(8, 4, 2);
  torch::NoGradGuard no_grad;
  conv->weight_g.copy_(torch::tensor({0.5f, 1.0f, 2.0f, 3.0f}).view({1, 1, 4}));
  const auto w = conv->weight();
  for (int k = 0; k < 4; ++k) {
    const auto v = conv->weight_v.select(2, k);
    EXPECT_NEAR(w.select(2, k).norm().item<float>(), conv->weight_g.view({4})[k].item<float>(),
                1e-5);
    EXPECT_TRUE(
        torch::allclose(w.select(2, k), v / v.norm() * conv->weight_g.view({4})[k], 1e-6, 1e-6));
  }
  // Padding K / 2 with an even kernel gives one extra frame, which the embedding drops.
  EXPECT_EQ(conv(torch::randn({1, 8, 10})).size(2), 11);
  ns::model::Wav2Vec2PositionalConv embed(Wav2Vec2Options::tiny());
  EXPECT_EQ(embed(torch::randn({1, 10, 32})).sizes(), (std::vector<int64_t>{1, 10, 32}));
}

TEST(Wav2Vec2Model, NormalizeWaveformIsPerRowPopulationVariance) {
  const auto x = torch::tensor({{1.0f, 2.0f, 3.0f, 4.0f}, {10.0f, 10.0f, 10.0f, 14.0f}});
  const auto y = ns::model::normalize_waveform(x);
  // Row 0: mean 2.5, population variance 1.25. Row 1: mean 11, variance 3.
  const auto expected0 = (x[0] - 2.5) / std::sqrt(1.25 + 1e-7);
  const auto expected1 = (x[1] - 11.0) / std::sqrt(3.0 + 1e-7);
  EXPECT_TRUE(torch::allclose(y[0], expected0, 1e-6, 1e-6)) << y;
  EXPECT_TRUE(torch::allclose(y[1], expected1, 1e-6, 1e-6)) << y;
  EXPECT_TRUE(torch::allclose(ns::model::normalize_waveform(x[1]), expected1, 1e-6, 1e-6));
  // Silence stays finite (eps) and zero.
  EXPECT_EQ(ns::model::normalize_waveform(torch::zeros({1, 8})).abs().sum().item<float>(), 0.0f);
  EXPECT_THROW(ns::model::normalize_waveform(torch::zeros({1, 2, 3})), ns::UsageError);
}
