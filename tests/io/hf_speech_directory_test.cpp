// Hugging Face wav2vec2 / HuBERT directories read into the backbone's size: the engine's own
// export reads back to the options it was written from, a wav2vec2-base config.json as
// transformers writes it gives the base size, and every variant the backbone does not
// implement is refused with the file and field named.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "io/tensors/hf_speech_directory.h"
#include "io/tensors/hubert_export.h"

namespace ns = neuroscale;

namespace {

class HfSpeechDirectory : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/neuroscale_hf_speech_" + std::to_string(::getpid());
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ + "/model.safetensors") << "not read by the directory reader";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
  }
  // The message of the DataError reading the directory throws ("" when it does not throw).
  std::string refusal() {
    try {
      ns::io::read_hf_speech_directory(dir_);
    } catch (const ns::DataError& error) {
      return error.what();
    }
    return "";
  }
  std::string dir_;
};

TEST_F(HfSpeechDirectory, ReadsBackTheExportedConfig) {
  const auto options = ns::model::Wav2Vec2Options::tiny().heads(4).layers(3).intermediate(48);
  write("config.json", ns::io::hf_hubert_config_json(options));
  write("preprocessor_config.json", R"({"do_normalize": false, "sampling_rate": 16000})");
  const auto read = ns::io::read_hf_speech_directory(dir_);
  EXPECT_EQ(read.model_type, "hubert");
  EXPECT_EQ(read.options.hidden(), options.hidden());
  EXPECT_EQ(read.options.layers(), 3);
  EXPECT_EQ(read.options.heads(), 4);
  EXPECT_EQ(read.options.intermediate(), 48);
  EXPECT_EQ(read.options.conv_dim(), options.conv_dim());
  EXPECT_EQ(read.options.conv_kernels(), options.conv_kernels());
  EXPECT_EQ(read.options.conv_strides(), options.conv_strides());
  EXPECT_EQ(read.options.pos_conv_kernel(), options.pos_conv_kernel());
  EXPECT_EQ(read.options.pos_conv_groups(), options.pos_conv_groups());
  EXPECT_EQ(read.options.feat_proj_layer_norm(), options.feat_proj_layer_norm());
  EXPECT_FALSE(read.normalize);
  EXPECT_EQ(read.weights, dir_ + "/model.safetensors");
}

TEST_F(HfSpeechDirectory, ReadsAWav2Vec2BaseConfig) {
  // facebook/wav2vec2-base's config.json (the fields that matter), preprocessor absent.
  write("config.json", R"({"model_type": "wav2vec2", "hidden_size": 768, "num_hidden_layers": 12,
    "num_attention_heads": 12, "intermediate_size": 3072, "hidden_act": "gelu",
    "conv_dim": [512, 512, 512, 512, 512, 512, 512], "conv_kernel": [10, 3, 3, 3, 3, 2, 2],
    "conv_stride": [5, 2, 2, 2, 2, 2, 2], "conv_bias": false, "feat_extract_norm": "group",
    "feat_extract_activation": "gelu", "do_stable_layer_norm": false,
    "num_conv_pos_embeddings": 128, "num_conv_pos_embedding_groups": 16, "layer_norm_eps": 1e-05})");
  const auto read = ns::io::read_hf_speech_directory(dir_);
  const auto base = ns::model::Wav2Vec2Options::base();
  EXPECT_EQ(read.options.hidden(), base.hidden());
  EXPECT_EQ(read.options.layers(), base.layers());
  EXPECT_EQ(read.options.frames(160000), 499);
  EXPECT_TRUE(read.options.feat_proj_layer_norm());
  EXPECT_TRUE(read.normalize);
  EXPECT_EQ(read.sampling_rate, 16000);
}

TEST_F(HfSpeechDirectory, RefusesWhatTheBackboneDoesNotImplement) {
  const auto base =
      nlohmann::json::parse(ns::io::hf_hubert_config_json(ns::model::Wav2Vec2Options::tiny()));
  const std::vector<std::pair<std::string, nlohmann::json>> variants = {
      {"model_type", "whisper"},
      {"do_stable_layer_norm", true},
      {"feat_extract_norm", "layer"},
      {"hidden_act", "relu"},
      {"conv_bias", true},
      {"conv_dim", {32, 64, 32, 32, 32, 32, 32}},
      {"conv_kernel", {10, 3}},
      {"num_attention_heads", 5},
      {"hidden_size", "wide"}};
  for (const auto& [field, value] : variants) {
    auto config = base;
    config[field] = value;
    write("config.json", config.dump());
    const std::string message = refusal();
    EXPECT_NE(message.find(dir_ + "/config.json"), std::string::npos) << field << ": " << message;
    if (field != "num_attention_heads" && field != "conv_kernel") {
      EXPECT_NE(message.find(field), std::string::npos) << field << ": " << message;
    }
  }
  auto config = base;
  config.erase("num_hidden_layers");
  write("config.json", config.dump());
  EXPECT_NE(refusal().find("num_hidden_layers is missing"), std::string::npos);
  write("config.json", "{not json");
  EXPECT_NE(refusal().find("is not valid JSON"), std::string::npos);
  std::filesystem::remove(dir_ + "/config.json");
  EXPECT_NE(refusal().find("has no config.json"), std::string::npos);
  write("config.json", base.dump());
  std::filesystem::remove(dir_ + "/model.safetensors");
  EXPECT_NE(refusal().find("has no model.safetensors"), std::string::npos);
}

}  // namespace
