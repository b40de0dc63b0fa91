// A HuBERT backbone written as a Hugging Face HubertModel directory: transformers loads it
// without a missing, unexpected or mis-shaped tensor and computes the engine's hidden states;
// the engine's own loader reads it back; an existing directory is replaced as a unit.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/fs/files.h"
#include "io/tensors/hubert_export.h"
#include "io/tensors/safetensors.h"
#include "io/tensors/speech_checkpoint.h"

namespace ns = neuroscale;

namespace {

std::string temp_dir(const std::string& name) {
  return ::testing::TempDir() + "/neuroscale_hubert_" + name + "_" + std::to_string(::getpid());
}

ns::model::HubertPretraining tiny_model() {
  torch::manual_seed(5);
  return ns::model::HubertPretraining(ns::model::HubertOptions()
                                          .backbone(ns::model::Wav2Vec2Options::tiny())
                                          .clusters(9)
                                          .final_dim(8));
}

}  // namespace

TEST(HubertExport, TransformersLoadsItAndComputesTheSameHiddenStates) {
  const std::string python = NEUROSCALE_PYTHON;
  if (std::system(
          (python + " -c 'import torch, transformers, safetensors' >/dev/null 2>&1").c_str()) !=
      0) {
    GTEST_SKIP() << "'" << python << "' cannot import torch, transformers and safetensors "
                 << "(scripts/setup installs them into .venv)";
  }
  auto model = tiny_model();
  const std::string dir = temp_dir("hf");
  ns::io::write_hf_hubert(dir, *model, true);
  for (const char* file : {"config.json", "preprocessor_config.json", "model.safetensors"}) {
    EXPECT_TRUE(ns::io::is_regular_file(dir + "/" + file)) << file;
  }
  const auto config = nlohmann::json::parse(*ns::io::read_file(dir + "/config.json"));
  EXPECT_EQ(config.at("model_type"), "hubert");
  EXPECT_EQ(config.at("num_hidden_layers"), 2);
  const auto preprocessor =
      nlohmann::json::parse(*ns::io::read_file(dir + "/preprocessor_config.json"));
  EXPECT_EQ(preprocessor.at("do_normalize"), true);

  const at::Tensor audio = at::randn({2, 4000});
  const std::string input = dir + ".input.safetensors", output = dir + ".output.safetensors";
  ns::io::write_safetensors(input, {{"audio", audio}}, {});
  const std::string log = dir + ".log";
  const int status =
      std::system((python + " " + NEUROSCALE_SOURCE_DIR + "/tests/io/hubert_export_check.py " +
                   dir + " " + input + " " + output + " >" + log + " 2>&1")
                      .c_str());
  ASSERT_EQ(status, 0) << *ns::io::read_file(log);
  const auto theirs = ns::io::read_safetensors(output);
  torch::NoGradGuard no_grad;
  const auto ours = model->hubert->forward(audio);
  ASSERT_EQ(theirs.tensors.size(), ours.size());
  for (const auto& [name, tensor] : theirs.tensors) {
    const auto layer = std::stoul(name.substr(name.find('.') + 1));
    const at::Tensor mine = ours.at(layer);
    ASSERT_EQ(tensor.sizes(), mine.sizes()) << name;
    const double error =
        (tensor - mine).abs().max().item<double>() / mine.abs().max().item<double>();
    EXPECT_LT(error, 1e-5) << name;
  }

  // The engine's loader reads the file back (the weight-norm keys of torch >= 2.1).
  ns::model::Wav2Vec2Model reread(ns::model::Wav2Vec2Options::tiny());
  const auto summary = ns::io::load_speech_checkpoint(dir + "/model.safetensors", *reread);
  EXPECT_EQ(summary.weight_norm, "parametrizations.weight.original0/1");
  EXPECT_EQ(summary.ignored, std::vector<std::string>{"masked_spec_embed"});
  EXPECT_TRUE(reread->forward(audio).back().equal(ours.back()));
  std::filesystem::remove_all(dir);
  for (const auto& f : {input, output, log}) std::remove(f.c_str());
}

TEST(HubertExport, ReplacesAnExistingDirectoryAsAUnit) {
  auto model = tiny_model();
  const std::string dir = temp_dir("replace");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/stale.txt") << "from before";
  ns::io::write_hf_hubert(dir, *model, false);
  EXPECT_FALSE(ns::io::path_exists(dir + "/stale.txt"));
  EXPECT_TRUE(ns::io::is_regular_file(dir + "/model.safetensors"));
  const auto preprocessor =
      nlohmann::json::parse(*ns::io::read_file(dir + "/preprocessor_config.json"));
  EXPECT_EQ(preprocessor.at("do_normalize"), false);
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(dir).parent_path())) {
    const std::string name = entry.path().filename().string();
    EXPECT_EQ(name.find(std::filesystem::path(dir).filename().string() + ".tmp."),
              std::string::npos)
        << name;
    EXPECT_EQ(name.find(std::filesystem::path(dir).filename().string() + ".old."),
              std::string::npos)
        << name;
  }
  std::filesystem::remove_all(dir);
}
