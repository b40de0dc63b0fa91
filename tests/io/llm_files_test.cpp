// The LLM files (io/llm): Hugging Face config.json, weights memory-mapped from one file or
// shards, with a key prefix, the Hugging Face directory written back, and the byte-level BPE
// tokenizer trained here; each bad input refused with the file and what was expected.
// (Agreement with transformers and tokenizers: llm_matches_transformers,
// tokenizer_matches_tokenizers_and_tiktoken, lm_train_loads_in_transformers.)
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <fstream>

#include "core/check.h"
#include "core/llm/causal_lm.h"
#include "core/model/lora.h"
#include "io/fs/files.h"
#include "io/llm/bpe_trainer.h"
#include "io/llm/hf_config.h"
#include "io/llm/hf_model.h"
#include "io/llm/hf_writer.h"
#include "io/llm/llm_weights.h"
#include "io/llm/tokenizer.h"
#include "io/tensors/safetensors.h"

namespace neuroscale::io {
namespace {

std::string temp_dir(const std::string& name) {
  const auto dir = testing::TempDir() + "neuroscale_llm_" + name + "_" + std::to_string(::getpid());
  create_directories(dir);
  return dir;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

const std::vector<std::string>& sample_text() {
  static const std::vector<std::string> kLines = {"the quick brown fox jumps over the lazy dog",
                                                  "the lazy dog sleeps",
                                                  "a quick brown cat",
                                                  "neural activity decodes the sentence",
                                                  "the dog and the fox",
                                                  "décodé 123 456 ❤️ done"};
  return kLines;
}

std::string tokenizer_json() {
  BpeTrainingOptions options;
  options.vocab_size = 300;
  return train_bpe_tokenizer(sample_text(), options);
}

llm::CausalLm tiny_model(bool tied) {
  torch::manual_seed(11);
  auto options = llm::CausalLmOptions::tiny();
  options.vocab(300).tie_embeddings(tied).qkv_bias(!tied).family(tied ? "llama" : "qwen2");
  return llm::CausalLm(options);
}

TEST(LlmFiles, AHuggingFaceDirectoryRoundTripsMemoryMapped) {
  for (const bool tied : {true, false}) {
    const auto dir = temp_dir(tied ? "tied" : "untied") + "/hf";
    auto model = tiny_model(tied);
    write_hf_causal_lm(dir, *model, tokenizer_json());
    auto loaded = load_hf_causal_lm(dir);
    EXPECT_EQ(loaded.weights.tensors_loaded,
              loaded.weights.tensors_mapped);  // float32 file: no copy
    EXPECT_EQ(loaded.model->options().family(), tied ? "llama" : "qwen2");
    const auto ids = at::randint(0, 300, {2, 7}, at::kLong);
    torch::NoGradGuard no_grad;
    model->eval();
    EXPECT_TRUE(at::allclose(loaded.model->forward(ids), model->forward(ids), 1e-6, 1e-6));
    EXPECT_TRUE(loaded.tokenizer.has_value());
    const auto header = read_safetensors_header(dir + "/model.safetensors");
    const bool has_head = std::any_of(header.begin(), header.end(), [](const TensorInfo& t) {
      return t.name == "lm_head.weight";
    });
    EXPECT_EQ(has_head, !tied);
    // bfloat16 in memory: converted once, logits close.
    LlmWeightsOptions bf16;
    bf16.dtype = at::kBFloat16;
    auto half = load_hf_causal_lm(dir, bf16);
    EXPECT_EQ(half.weights.tensors_mapped, 0u);
    const auto reference = model->forward(ids);
    EXPECT_LT((half.model->forward(ids).to(at::kFloat) - reference).abs().max().item<double>(),
              0.05 * reference.abs().max().item<double>());
  }
}

TEST(LlmFiles, TheWriterMergesLoraAdaptersIntoTheirWeights) {
  torch::manual_seed(13);
  auto options = llm::CausalLmOptions::tiny();
  options.vocab(300)
      .lora(model::LoraOptions().rank(4).alpha(16).dropout(0.0))
      .lora_targets({"q_proj", "up_proj"});
  llm::CausalLm adapted(options);
  {
    torch::NoGradGuard no_grad;
    for (auto& item : adapted->named_parameters()) {
      if (item.key().find("lora_B") != std::string::npos) item.value().normal_(0, 0.5);
    }
  }
  const auto dir = temp_dir("merged") + "/hf";
  write_hf_causal_lm(dir, *adapted, tokenizer_json());
  const auto header = read_safetensors_header(dir + "/model.safetensors");
  for (const auto& entry : header)
    EXPECT_EQ(entry.name.find("lora"), std::string::npos) << entry.name;
  auto merged = load_hf_causal_lm(dir);
  torch::NoGradGuard no_grad;
  adapted->eval();
  const auto ids = at::randint(0, 300, {2, 5}, at::kLong);
  EXPECT_TRUE(at::allclose(merged.model->forward(ids), adapted->forward(ids), 1e-4, 1e-4));
}

TEST(LlmFiles, ShardsAndAKeyPrefixLoadAndTheRestIsListedAsIgnored) {
  const auto dir = temp_dir("shards");
  auto model = tiny_model(true);
  NamedTensors first, second;
  std::size_t i = 0;
  nlohmann::json map;
  for (const auto& item : model->named_parameters()) {
    const auto key = "language_model." + item.key();
    (i++ % 2 == 0 ? first : second).emplace_back(key, item.value().detach());
    map[key] = i % 2 == 1 ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
  }
  first.emplace_back("audio_tower.conv.weight", at::ones({2, 2}));
  map["audio_tower.conv.weight"] = "model-00001-of-00002.safetensors";
  write_safetensors(dir + "/model-00001-of-00002.safetensors", first);
  write_safetensors(dir + "/model-00002-of-00002.safetensors", second);
  write_file_atomically(dir + "/model.safetensors.index.json",
                        nlohmann::json({{"weight_map", map}}).dump());
  write_file_atomically(dir + "/config.json", hf_config_json(model->options()));
  LlmWeightsOptions options;
  options.prefix = "language_model.";
  const auto loaded = load_hf_causal_lm(dir, options);
  EXPECT_EQ(loaded.weights.files.size(), 2u);
  EXPECT_EQ(loaded.weights.ignored, std::vector<std::string>{"audio_tower.conv.weight"});
  EXPECT_FALSE(loaded.tokenizer.has_value());
  EXPECT_NE(error_of([&] { require_tokenizer(loaded); }).find("has no tokenizer.json"),
            std::string::npos);
  // Without the prefix the parameters are missing, and the prefix they sit under is suggested.
  const auto unprefixed = error_of([&] { load_hf_causal_lm(dir); });
  EXPECT_NE(unprefixed.find("has no tensor 'model.embed_tokens.weight'"), std::string::npos)
      << unprefixed;
  EXPECT_NE(unprefixed.find("set the prefix 'language_model.'"), std::string::npos) << unprefixed;
}

TEST(LlmFiles, BadWeightsAndConfigsAreRefusedNamingTheFileAndTheKey) {
  const auto dir = temp_dir("bad") + "/hf";
  auto model = tiny_model(true);
  write_hf_causal_lm(dir, *model, tokenizer_json());
  const auto config = nlohmann::json::parse(read_file(dir + "/config.json").value());
  auto with = [&](const std::string& key, const nlohmann::json& value) {
    auto changed = config;
    if (value.is_null() && key != "rope_scaling") {
      changed.erase(key);
    } else {
      changed[key] = value;
    }
    write_file_atomically(dir + "/config.json", changed.dump());
    return error_of([&] { read_hf_config(dir + "/config.json"); });
  };
  EXPECT_NE(with("model_type", "gpt2").find("model_type \"gpt2\" is not supported"),
            std::string::npos);
  EXPECT_NE(with("hidden_act", "gelu").find("hidden_act \"gelu\" is not supported"),
            std::string::npos);
  EXPECT_NE(with("rope_scaling", {{"rope_type", "llama3"}, {"factor", 8}}).find("rope_scaling"),
            std::string::npos);
  EXPECT_NE(with("hidden_size", nullptr).find("hidden_size is missing"), std::string::npos);
  EXPECT_NE(with("num_key_value_heads", 3).find("must be a multiple of num_key_value_heads (3)"),
            std::string::npos);
  EXPECT_NE(with("hidden_size", "64").find("hidden_size must be an integer"), std::string::npos);
  // A config that disagrees with the weights: the tensor and both shapes are named.
  EXPECT_EQ(with("intermediate_size", 96), "no error");
  const auto mismatch = error_of([&] { load_hf_causal_lm(dir); });
  EXPECT_NE(mismatch.find("model.layers.0.mlp.down_proj.weight' has shape [64, 128]"),
            std::string::npos)
      << mismatch;
  EXPECT_NE(mismatch.find("needs [64, 96]"), std::string::npos) << mismatch;
  write_file_atomically(dir + "/config.json", config.dump());
  // A truncated weights file.
  const auto weights = read_file(dir + "/model.safetensors").value();
  write_file_atomically(dir + "/model.safetensors", weights.substr(0, weights.size() / 2));
  const auto truncated = error_of([&] { load_hf_causal_lm(dir); });
  EXPECT_NE(truncated.find(dir + "/model.safetensors"), std::string::npos) << truncated;
  // A missing tensor.
  NamedTensors fewer;
  for (const auto& item : model->named_parameters()) {
    if (item.key() != "model.norm.weight") fewer.emplace_back(item.key(), item.value().detach());
  }
  write_safetensors(dir + "/model.safetensors", fewer);
  EXPECT_NE(error_of([&] { load_hf_causal_lm(dir); }).find("has no tensor 'model.norm.weight'"),
            std::string::npos);
  EXPECT_NE(error_of([&] { load_hf_causal_lm(dir + "-missing"); }).find("is not a directory"),
            std::string::npos);
}

TEST(LlmFiles, TheTrainedTokenizerRoundTripsAnyTextAndIsDeterministic) {
  const auto json = tokenizer_json();
  EXPECT_EQ(json, tokenizer_json());
  const auto tokenizer = BpeTokenizer::from_json(json, "trained");
  // Merges stop at the vocabulary size or when no pair occurs twice (this little text).
  EXPECT_LE(tokenizer.vocab_size(), 300);
  EXPECT_GT(tokenizer.vocab_size(), 270);
  for (const std::string text : {"the quick brown fox", "unseen 𝄞 text, with\ttabs\nand lines", "",
                                 "<|end_of_text|> special <|begin_of_text|>", "e\u0301"}) {
    const auto ids = tokenizer.encode(text);
    const std::string expected = text == "e\u0301" ? "\u00e9" : text;  // NFC
    EXPECT_EQ(tokenizer.decode(ids), expected) << text;
  }
  // Frequent words became single tokens; special tokens are recognised in the text.
  EXPECT_EQ(tokenizer.encode(" the").size(), 1u);
  EXPECT_EQ(tokenizer.encode("<|end_of_text|>"), std::vector<std::int64_t>{1});
  EXPECT_EQ(tokenizer.decode({0, 1}, true), "");
  EXPECT_NE(error_of([&] { tokenizer.encode(std::string("\xff\xfe")); }).find("not valid UTF-8"),
            std::string::npos);
  EXPECT_NE(
      error_of([&] { tokenizer.decode({99999}); }).find("token id 99999 is not in the vocabulary"),
      std::string::npos);
}

TEST(LlmFiles, TokenizersOfAnotherKindAreRefusedByName) {
  auto json = nlohmann::json::parse(tokenizer_json());
  auto refused = [&](const std::function<void(nlohmann::json&)>& change) {
    auto copy = json;
    change(copy);
    return error_of([&] { BpeTokenizer::from_json(copy.dump(), "'tok.json'"); });
  };
  EXPECT_NE(refused([](nlohmann::json& j) {
              j["model"]["type"] = "Unigram";
            }).find("'tok.json': model 'Unigram'"),
            std::string::npos);
  EXPECT_NE(
      refused([](nlohmann::json& j) { j["model"]["byte_fallback"] = true; }).find("byte_fallback"),
      std::string::npos);
  EXPECT_NE(refused([](nlohmann::json& j) {
              j["pre_tokenizer"] = {{"type", "Metaspace"}};
            }).find("'Metaspace'"),
            std::string::npos);
  EXPECT_NE(refused([](nlohmann::json& j) {
              j["normalizer"] = {{"type", "Lowercase"}};
            }).find("'Lowercase'"),
            std::string::npos);
  EXPECT_NE(refused([](nlohmann::json& j) { j["model"]["merges"][0] = "a b c"; }).find("merge 0"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              BpeTokenizer::from_json("{", "'tok.json'");
            }).find("malformed tokenizer.json"),
            std::string::npos);
}

}  // namespace
}  // namespace neuroscale::io
