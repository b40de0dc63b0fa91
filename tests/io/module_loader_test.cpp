// Loading a module from a checkpoint directory: values copied by name under the prefix,
// missing and mis-shaped parameters named, frozen parameters skipped when asked.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <string>

#include "core/error.h"
#include "io/checkpoint/manifest.h"
#include "io/checkpoint/module_loader.h"
#include "io/fs/files.h"
#include "io/tensors/safetensors.h"

namespace ns = neuroscale;
using namespace ns::io;

namespace {

// A one-shard checkpoint holding `tensors`; returns its directory and manifest.
std::pair<std::string, Manifest> write_checkpoint(const std::string& name,
                                                  const NamedTensors& tensors) {
  const std::string dir =
      ::testing::TempDir() + "module_loader_" + name + "_" + std::to_string(::getpid());
  create_directories(dir);
  const auto digest = write_safetensors(dir + "/shard-00000.safetensors", tensors);
  Manifest manifest;
  manifest.step = 3;
  manifest.files.push_back({"shard-00000.safetensors", digest.bytes, digest.xxh64});
  // A checkpoint also holds one training-state file per rank; its contents do not matter here.
  const auto state = write_file_atomically(dir + "/state-00000.txt", "state\n");
  manifest.files.push_back({"state-00000.txt", state.bytes, state.xxh64});
  for (const auto& [key, tensor] : tensors) {
    manifest.tensors.push_back({key, "shard-00000.safetensors", "F32", tensor.sizes().vec()});
  }
  write_manifest(manifest, dir);
  return {dir, read_manifest(dir)};
}

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const ns::Error& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST(ModuleLoader, CopiesParametersByPrefixedName) {
  const auto weight = torch::arange(6, torch::kFloat).view({2, 3});
  const auto bias = torch::tensor({7.0f, 8.0f});
  const auto [dir, manifest] = write_checkpoint(
      "full", {{"model.weight", weight}, {"model.bias", bias}, {"optim.weight.exp_avg", weight}});
  torch::nn::Linear layer(3, 2);
  const auto loaded = load_module(*layer, dir, manifest);
  EXPECT_EQ(loaded, (std::set<std::string>{"weight", "bias"}));
  EXPECT_TRUE(torch::equal(layer->weight, weight));
  EXPECT_TRUE(torch::equal(layer->bias, bias));
}

TEST(ModuleLoader, NamesMissingAndMisShapedParameters) {
  const auto [dir, manifest] = write_checkpoint("partial", {{"model.weight", torch::ones({2, 3})}});
  torch::nn::Linear layer(3, 2);
  const auto missing =
      message_of([&, dir = dir, manifest = manifest] { load_module(*layer, dir, manifest); });
  EXPECT_NE(missing.find("checkpoint '" + dir + "' lacks parameter 'bias'"), std::string::npos)
      << missing;
  EXPECT_THROW(load_module(*layer, dir, manifest), ns::CheckpointError);

  // Allowed to be missing: the bias keeps its initial values.
  const auto before = layer->bias.clone();
  ModuleLoad lenient;
  lenient.may_be_missing = [](const std::string& name) { return name == "bias"; };
  EXPECT_EQ(load_module(*layer, dir, manifest, lenient), (std::set<std::string>{"weight"}));
  EXPECT_TRUE(torch::equal(layer->bias, before));

  // Frozen parameters are skipped when only trainable ones are loaded.
  layer->bias.set_requires_grad(false);
  ModuleLoad trainable;
  trainable.trainable_only = true;
  EXPECT_EQ(load_module(*layer, dir, manifest, trainable), (std::set<std::string>{"weight"}));

  torch::nn::Linear wider(4, 2);
  ModuleLoad user;
  user.may_be_missing = lenient.may_be_missing;
  user.config_error = true;
  user.label = "init.checkpoint 'x'";
  user.hint = [](const std::string&, bool) { return std::string(" (check the config)"); };
  const auto shape =
      message_of([&, dir = dir, manifest = manifest] { load_module(*wider, dir, manifest, user); });
  EXPECT_NE(shape.find("init.checkpoint 'x': parameter 'weight' is [2, 3] there but [2, 4] here "
                       "(check the config)"),
            std::string::npos)
      << shape;
  EXPECT_THROW(load_module(*wider, dir, manifest, user), ns::ConfigError);
}
