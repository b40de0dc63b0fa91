// Hugging Face wav2vec2 / HuBERT checkpoints into the speech backbone: every hidden state
// against an independent PyTorch model (tests/core/wav2vec2_reference.py) in both key
// conventions, and files that do not fit rejected with the file, key and shapes.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/error.h"
#include "core/model/wav2vec2.h"
#include "io/fs/files.h"
#include "io/hash/xxhash64.h"
#include "io/tensors/safetensors.h"
#include "io/tensors/speech_checkpoint.h"

namespace ns = neuroscale;
using ns::model::Wav2Vec2Model;
using ns::model::Wav2Vec2Options;

namespace {

std::string temp_dir(const std::string& name) {
  const auto dir =
      ::testing::TempDir() + "/neuroscale_speech_" + name + "_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  return dir;
}

std::map<std::string, at::Tensor> by_name(const ns::io::TensorFile& file) {
  std::map<std::string, at::Tensor> out(file.tensors.begin(), file.tensors.end());
  return out;
}

// The model's backbone parameters under `prefix`, as a Hugging Face file would hold them.
ns::io::NamedTensors backbone_tensors(Wav2Vec2Model& model, const std::string& prefix) {
  ns::io::NamedTensors tensors;
  for (const auto& item : model->named_parameters()) {
    if (!ns::model::is_lora_parameter(item.key()))
      tensors.emplace_back(prefix + item.key(), item.value().detach());
  }
  return tensors;
}

// The DataError message of loading `path` into a fresh tiny model ("" when it loads).
std::string load_error(const std::string& path,
                       const Wav2Vec2Options& options = Wav2Vec2Options::tiny()) {
  Wav2Vec2Model model(options);
  try {
    ns::io::load_speech_checkpoint(path, *model);
  } catch (const ns::DataError& e) {
    return e.what();
  }
  return "";
}

void expect_contains(const std::string& text, std::initializer_list<std::string> parts) {
  for (const auto& part : parts)
    EXPECT_NE(text.find(part), std::string::npos) << "'" << part << "' in: " << text;
}

// Largest |a - b| relative to the largest |b|.
double relative_error(const at::Tensor& a, const at::Tensor& b) {
  return (a.to(at::kDouble) - b).abs().max().item<double>() / b.abs().max().item<double>();
}

}  // namespace

TEST(SpeechCheckpoint, HiddenStatesMatchThePyTorchReferenceInBothConventions) {
  const std::string python = NEUROSCALE_PYTHON;
  if (std::system((python + " -c 'import torch, numpy' >/dev/null 2>&1").c_str()) != 0) {
    GTEST_SKIP() << "'" << python << "' cannot import torch and numpy, so the PyTorch reference "
                 << "cannot run (scripts/setup installs PyTorch into .venv)";
  }
  const auto dir = temp_dir("reference");
  const auto log = dir + "/reference.log";
  const int status = std::system((python + " " + NEUROSCALE_SOURCE_DIR +
                                  "/tests/core/wav2vec2_reference.py " + dir + " >" + log + " 2>&1")
                                     .c_str());
  std::ifstream log_file(log);
  const std::string log_text((std::istreambuf_iterator<char>(log_file)),
                             std::istreambuf_iterator<char>());
  ASSERT_EQ(status, 0) << log_text;
  auto expected = by_name(ns::io::read_safetensors(dir + "/expected.safetensors"));

  // The feature extractor's normalisation (numpy, float32) against normalize_waveform.
  const auto normalized = ns::model::normalize_waveform(expected.at("raw"));
  EXPECT_LT(relative_error(normalized, expected.at("normalized").to(at::kDouble)), 1e-6);

  struct Case {
    std::string file, tag, prefix, weight_norm;
    std::vector<std::string> ignored;
  };
  const std::vector<Case> cases = {
      {"wav2vec2.safetensors",
       "wav2vec2",
       "wav2vec2.",
       "weight_g/weight_v",
       {"lm_head.bias", "lm_head.weight", "wav2vec2.masked_spec_embed"}},
      {"hubert.safetensors",
       "hubert",
       "hubert.",
       "parametrizations.weight.original0/1",
       {"hubert.masked_spec_embed", "lm_head.weight"}}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    const auto path = dir + "/" + c.file;
    Wav2Vec2Model model(Wav2Vec2Options::tiny());
    const auto summary = ns::io::load_speech_checkpoint(path, *model);
    EXPECT_EQ(summary.path, path);
    EXPECT_EQ(summary.prefix, c.prefix);
    EXPECT_EQ(summary.weight_norm, c.weight_norm);
    EXPECT_EQ(summary.ignored, c.ignored);
    EXPECT_EQ(summary.tensors_loaded, model->parameters().size());
    std::int64_t values = 0;
    for (const auto& p : model->parameters()) values += p.numel();
    EXPECT_EQ(summary.values_loaded, values);
    EXPECT_EQ(summary.bytes, std::filesystem::file_size(path));
    EXPECT_EQ(summary.xxh64, ns::io::xxhash64_file(path));

    torch::NoGradGuard no_grad;
    const auto hidden = model->forward(expected.at("normalized"));
    ASSERT_EQ(hidden.size(), 3u);
    for (std::size_t l = 0; l < hidden.size(); ++l) {
      const auto& want = expected.at(c.tag + ".hidden." + std::to_string(l));
      ASSERT_EQ(hidden[l].sizes(), want.sizes()) << "hidden state " << l;
      EXPECT_LT(relative_error(hidden[l], want), 1e-5) << "hidden state " << l;
    }
  }
  std::filesystem::remove_all(dir);
}

TEST(SpeechCheckpoint, RoundTripsAndLeavesAdaptersAsInitialised) {
  const auto dir = temp_dir("round");
  torch::manual_seed(21);
  Wav2Vec2Model source(Wav2Vec2Options::tiny());
  ns::io::write_safetensors(dir + "/bare.safetensors", backbone_tensors(source, ""));
  auto bf16 = backbone_tensors(source, "wav2vec2.");
  for (auto& [name, tensor] : bf16) tensor = tensor.to(at::kBFloat16);
  ns::io::write_safetensors(dir + "/bf16.safetensors", bf16);

  torch::manual_seed(22);
  const auto options = Wav2Vec2Options::tiny().lora(ns::model::LoraOptions().rank(4));
  Wav2Vec2Model target(options);
  std::map<std::string, at::Tensor> adapters;
  for (const auto& item : target->named_parameters()) {
    if (ns::model::is_lora_parameter(item.key())) adapters[item.key()] = item.value().clone();
  }
  const auto summary = ns::io::load_speech_checkpoint(dir + "/bare.safetensors", *target);
  EXPECT_EQ(summary.prefix, "");
  EXPECT_TRUE(summary.ignored.empty());
  const auto loaded = target->named_parameters();
  for (const auto& item : source->named_parameters()) {
    EXPECT_TRUE(torch::equal(loaded[item.key()], item.value())) << item.key();
  }
  for (const auto& [name, value] : adapters) EXPECT_TRUE(torch::equal(loaded[name], value)) << name;

  // BF16 is widened to the float32 parameters.
  Wav2Vec2Model widened(Wav2Vec2Options::tiny());
  ns::io::load_speech_checkpoint(dir + "/bf16.safetensors", *widened);
  const auto w = widened->named_parameters()["encoder.layers.1.attention.v_proj.weight"];
  EXPECT_EQ(w.scalar_type(), at::kFloat);
  EXPECT_TRUE(torch::equal(w, source->named_parameters()["encoder.layers.1.attention.v_proj.weight"]
                                  .to(at::kBFloat16)
                                  .to(at::kFloat)));

  // The file's size as the shapes show it; heads and strides come from the given options.
  const auto inferred = ns::io::speech_checkpoint_options(dir + "/bare.safetensors");
  EXPECT_EQ(inferred.conv_dim(), 32);
  EXPECT_EQ(inferred.conv_kernels(), Wav2Vec2Options::tiny().conv_kernels());
  EXPECT_EQ(inferred.hidden(), 32);
  EXPECT_EQ(inferred.layers(), 2);
  EXPECT_EQ(inferred.intermediate(), 64);
  EXPECT_EQ(inferred.pos_conv_kernel(), 16);
  EXPECT_EQ(inferred.pos_conv_groups(), 4);
  EXPECT_TRUE(inferred.feat_proj_layer_norm());
  EXPECT_EQ(inferred.heads(), 12);
  std::filesystem::remove_all(dir);
}

TEST(SpeechCheckpoint, FilesThatDoNotFitNameTheFileKeyAndShapes) {
  const auto dir = temp_dir("errors");
  torch::manual_seed(23);
  Wav2Vec2Model source(Wav2Vec2Options::tiny());
  const auto good = backbone_tensors(source, "wav2vec2.");
  const auto write = [&](const std::string& name, ns::io::NamedTensors tensors) {
    ns::io::write_safetensors(dir + "/" + name, tensors);
    return dir + "/" + name;
  };

  // A missing backbone key; the model is left untouched.
  auto tensors = good;
  tensors.erase(std::find_if(tensors.begin(), tensors.end(), [](const auto& t) {
    return t.first == "wav2vec2.encoder.layers.1.attention.k_proj.bias";
  }));
  auto path = write("missing.safetensors", tensors);
  expect_contains(load_error(path),
                  {path, "missing key 'wav2vec2.encoder.layers.1.attention.k_proj.bias'", "[32]"});

  // Without either weight-norm form the message names both.
  tensors = good;
  tensors.erase(std::find_if(tensors.begin(), tensors.end(), [](const auto& t) {
    return t.first == "wav2vec2.encoder.pos_conv_embed.conv.weight_g";
  }));
  path = write("no_weight_g.safetensors", tensors);
  expect_contains(load_error(path),
                  {"encoder.pos_conv_embed.conv.weight_g", "parametrizations.weight.original0/1"});

  // A wrong shape: both shapes named, and nothing written.
  tensors = good;
  for (auto& [name, tensor] : tensors) {
    if (name == "wav2vec2.encoder.layers.0.attention.q_proj.weight")
      tensor = torch::zeros({32, 16});
  }
  path = write("shape.safetensors", tensors);
  expect_contains(load_error(path),
                  {path, "'wav2vec2.encoder.layers.0.attention.q_proj.weight' has shape [32, 16]",
                   "'encoder.layers.0.attention.q_proj.weight' is [32, 32]"});
  Wav2Vec2Model untouched(Wav2Vec2Options::tiny());
  const auto before = untouched->named_parameters()["feature_projection.projection.weight"].clone();
  EXPECT_THROW(ns::io::load_speech_checkpoint(path, *untouched), ns::DataError);
  EXPECT_TRUE(
      torch::equal(untouched->named_parameters()["feature_projection.projection.weight"], before));

  // An unknown prefix, and a file with no backbone at all.
  path = write("prefix.safetensors", backbone_tensors(source, "module.wav2vec2."));
  expect_contains(load_error(path),
                  {path, "module.wav2vec2.feature_projection.projection.weight",
                   "prefix 'module.wav2vec2.'", "expected 'wav2vec2.', 'hubert.' or none"});
  path = write("head_only.safetensors", {{"lm_head.weight", torch::zeros({5, 32})}});
  expect_contains(load_error(path),
                  {path, "no wav2vec2 / HuBERT backbone", "feature_projection.projection.weight"});

  // Both weight-norm conventions at once.
  tensors = good;
  tensors.emplace_back("wav2vec2.encoder.pos_conv_embed.conv.parametrizations.weight.original0",
                       torch::ones({1, 1, 16}));
  path = write("both_norms.safetensors", tensors);
  expect_contains(load_error(path), {path, "stored twice"});

  // A backbone key the architecture lacks (a layer-norm feature encoder's extra norms).
  tensors = good;
  tensors.emplace_back("wav2vec2.feature_extractor.conv_layers.1.layer_norm.weight",
                       torch::ones({32}));
  path = write("extra.safetensors", tensors);
  expect_contains(load_error(path),
                  {path, "1 backbone key(s) the model does not have",
                   "'wav2vec2.feature_extractor.conv_layers.1.layer_norm.weight'"});

  // A larger model: the message names the options that differ and the key that shows it.
  Wav2Vec2Model wide(Wav2Vec2Options::tiny().hidden(64).intermediate(96));
  path = write("wide.safetensors", backbone_tensors(wide, "hubert."));
  expect_contains(load_error(path),
                  {path,
                   "hidden: the file has 64 (hubert.feature_projection.projection.weight [64, "
                   "32]), the model 32",
                   "intermediate: the file has 96", "the model 64"});
  Wav2Vec2Model deep(Wav2Vec2Options::tiny().layers(3));
  path = write("deep.safetensors", backbone_tensors(deep, ""));
  expect_contains(load_error(path), {path, "layers: the file has 3", "the model 2"});
  std::filesystem::remove_all(dir);
}
