// End-to-end tests of `neuroscale lm`: the synthetic corpus' sentences (synth --sentences)
// train a small LM whose loss falls; the Hugging Face directory it writes is what
// `lm generate` and `lm score` load; bad input is refused with the file named and nothing
// written.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <string>

#include "core/model/packed_gemm.h"
#include "io/checkpoint/checkpoint_reader.h"
#include "io/fs/files.h"
#include "io/run/metrics_log.h"
#include "tests/jobs/cli_run.h"

namespace {

using neuroscale::cli_test::count_lines;
using neuroscale::cli_test::Result;
using neuroscale::cli_test::run;

const std::string kSource = NEUROSCALE_SOURCE_DIR;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class LmCli : public testing::Test {
 protected:
  // The corpus' sentences and one training run, made once per process by the first case.
  void SetUp() override {
    if (!root_.empty()) return;
    root_ = testing::TempDir() + "neuroscale_lm_" + std::to_string(::getpid());
    std::system(("rm -rf " + root_ + " && mkdir -p " + root_).c_str());
    Result synth = run("synth --config " + kSource + "/configs/synth/tiny.yaml --output " + root_ +
                       "/corpus.h5 --sentences " + root_ + "/sentences");
    ASSERT_EQ(synth.code, 0) << synth.err;
    Result train =
        run("lm train --config " + kSource + "/configs/lm/tiny.yaml --run-dir " + root_ +
            "/lm data.text=" + root_ + "/sentences.train.txt data.validation_text=" + root_ +
            "/sentences.val.txt train.max_steps=40 data.vocab_size=400");
    ASSERT_EQ(train.code, 0) << train.err;
  }
  static std::string root_;
};
std::string LmCli::root_;

TEST_F(LmCli, SynthWritesEverySplitsSentences) {
  for (const char* split : {"train", "val", "test"}) {
    const auto text = neuroscale::io::read_file(root_ + "/sentences." + split + ".txt");
    ASSERT_TRUE(text.has_value()) << split;
    EXPECT_GT(count_lines(*text), 0) << split;
  }
}

TEST_F(LmCli, TrainingLowersTheLossAndWritesAHuggingFaceDirectory) {
  const auto records = neuroscale::io::read_metrics_log(root_ + "/lm/metrics.jsonl");
  ASSERT_GE(records.size(), 2u);
  const double first = records.front().values.at("loss"), last = records.back().values.at("loss");
  EXPECT_LT(last, 0.8 * first) << "loss " << first << " -> " << last;
  EXPECT_TRUE(records.back().values.count("perplexity"));
  for (const char* file :
       {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"}) {
    EXPECT_TRUE(neuroscale::io::is_regular_file(root_ + "/lm/hf/" + file)) << file;
  }
}

TEST_F(LmCli, ExportWritesTheLastCheckpointAsTheRunDid) {
  Result exported = run("lm export " + root_ + "/lm --output " + root_ + "/lm-export");
  ASSERT_EQ(exported.code, 0) << exported.err;
  for (const char* file :
       {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"}) {
    EXPECT_EQ(neuroscale::io::read_file(root_ + "/lm-export/" + file),
              neuroscale::io::read_file(root_ + "/lm/hf/" + file))
        << file;
  }
  Result not_a_run = run("lm export " + root_ + " --output " + root_ + "/nothing");
  EXPECT_NE(not_a_run.code, 0);
  EXPECT_FALSE(neuroscale::io::path_exists(root_ + "/nothing"));
}

TEST_F(LmCli, GenerateAndScoreLoadTheTrainedModel) {
  Result greedy =
      run("lm generate --model " + root_ + "/lm/hf --prompt 'the' --prompt 'a' --max-new-tokens 6");
  ASSERT_EQ(greedy.code, 0) << greedy.err;
  EXPECT_EQ(count_lines(greedy.out), 3) << greedy.out;
  EXPECT_TRUE(contains(greedy.out, "prompt\trank\tscore\tlog_probability\ttokens\ttext\n"))
      << greedy.out;
  Result beams = run("lm generate --model " + root_ +
                     "/lm/hf --prompt 'the' --beams 3 --nbest 3 --max-new-tokens 6");
  ASSERT_EQ(beams.code, 0) << beams.err;
  EXPECT_EQ(count_lines(beams.out), 4) << beams.out;
  Result score = run("lm score " + root_ + "/sentences.val.txt --model " + root_ +
                     "/lm/hf --output " + root_ + "/scores.tsv");
  ASSERT_EQ(score.code, 0) << score.err;
  const auto lines = count_lines(neuroscale::io::read_file(root_ + "/sentences.val.txt").value());
  EXPECT_EQ(count_lines(neuroscale::io::read_file(root_ + "/scores.tsv").value()), lines + 1);
  EXPECT_TRUE(contains(score.err, "perplexity")) << score.err;
}

TEST_F(LmCli, LoraFineTuningCheckpointsOnlyTheAdaptersAndNamesTheBase) {
  Result lora = run("lm train --config " + kSource + "/configs/lm/tiny.yaml --run-dir " + root_ +
                    "/lora data.text=" + root_ + "/sentences.train.txt model.init_from=" + root_ +
                    "/lm/hf model.lora.rank=4 train.max_steps=5 schedule.warmup_steps=1");
  ASSERT_EQ(lora.code, 0) << lora.err;
  namespace io = neuroscale::io;
  const auto [path, manifest] =
      io::newest_verified_checkpoint(io::locate_checkpoints(root_ + "/lora"), {});
  EXPECT_TRUE(contains(manifest.base_weights, "model.safetensors xxh64=")) << manifest.base_weights;
  const auto tensors = io::read_checkpoint_tensors(
      path, manifest, [](const std::string& name) { return name.rfind("model.", 0) == 0; });
  ASSERT_FALSE(tensors.empty());
  for (const auto& [name, tensor] : tensors) EXPECT_TRUE(contains(name, "lora_")) << name;
  // The merged directory loads and generates.
  Result generate =
      run("lm generate --model " + root_ + "/lora/hf --prompt 'the' --max-new-tokens 3");
  EXPECT_EQ(generate.code, 0) << generate.err;
  // Adapters without a base to adapt are refused by key.
  Result no_base = run("lm train --config " + kSource + "/configs/lm/tiny.yaml --run-dir " + root_ +
                       "/lora-bad data.text=" + root_ + "/sentences.train.txt model.lora.rank=4");
  EXPECT_EQ(no_base.code, 2);
  EXPECT_TRUE(contains(no_base.err,
                       "'model.lora.rank' (4) adapts a pretrained model: set 'model.init_from'"))
      << no_base.err;
}

// LoRA with the frozen weights packed for MKL's GEMM trains as it does unpacked (the same
// loss and gradient norm at every step, to float32 rounding: this needs the adapters drawn
// from the run's seed, as they are); without MKL the key is refused by name.
TEST_F(LmCli, PackedFrozenWeightsTrainAsUnpacked) {
  auto train = [&](const std::string& name, const std::string& extra) {
    return run("lm train --config " + kSource + "/configs/lm/tiny.yaml --run-dir " + root_ + "/" +
               name + " data.text=" + root_ + "/sentences.train.txt model.init_from=" + root_ +
               "/lm/hf model.lora.rank=4 model.lora.dropout=0 train.max_steps=4 "
               "train.log_every=1 schedule.warmup_steps=1" +
               extra);
  };
  Result packed = train("lora-packed", " train.pack_frozen_weights=true");
  if (!neuroscale::model::packed_gemm_available()) {
    EXPECT_EQ(packed.code, 2);
    EXPECT_TRUE(contains(packed.err, "'train.pack_frozen_weights' needs MKL's packed GEMM"))
        << packed.err;
    return;
  }
  ASSERT_EQ(packed.code, 0) << packed.err;
  Result bf16 = train("lora-packed-bf16", " train.pack_frozen_weights=true train.precision=bf16");
  EXPECT_EQ(bf16.code, 2);
  EXPECT_TRUE(contains(bf16.err, "'train.pack_frozen_weights' packs float32 products")) << bf16.err;
  EXPECT_TRUE(contains(packed.err + packed.out, "frozen weights packed for MKL's GEMM"))
      << packed.err;
  Result plain = train("lora-plain", "");
  ASSERT_EQ(plain.code, 0) << plain.err;
  const auto expected = neuroscale::io::read_metrics_log(root_ + "/lora-plain/metrics.jsonl");
  const auto got = neuroscale::io::read_metrics_log(root_ + "/lora-packed/metrics.jsonl");
  ASSERT_EQ(got.size(), expected.size());
  ASSERT_GE(got.size(), 4u);
  for (std::size_t i = 0; i < got.size(); ++i) {
    for (const char* key : {"loss", "grad_norm"}) {
      if (!expected[i].values.count(key)) continue;
      const double a = got[i].values.at(key), b = expected[i].values.at(key);
      EXPECT_NEAR(a, b, 1e-4 * std::abs(b)) << key << ", record " << i;
    }
  }
}

TEST_F(LmCli, BadInputIsRefusedNamingTheFileAndWritesNothing) {
  neuroscale::io::write_file_atomically(root_ + "/empty.txt", "\n\n");
  Result empty = run("lm train --config " + kSource + "/configs/lm/tiny.yaml --run-dir " + root_ +
                     "/empty-run data.text=" + root_ + "/empty.txt");
  EXPECT_EQ(empty.code, 3) << empty.err;
  EXPECT_TRUE(contains(empty.err, root_ + "/empty.txt' has no text")) << empty.err;
  EXPECT_FALSE(neuroscale::io::path_exists(root_ + "/empty-run/hf"));
  Result scored = run("lm score " + root_ + "/empty.txt --model " + root_ + "/lm/hf");
  EXPECT_EQ(scored.code, 3) << scored.err;
  Result too_long =
      run("lm generate --model " + root_ + "/lm/hf --prompt 'the' --max-new-tokens 500");
  EXPECT_EQ(too_long.code, 2) << too_long.err;
  EXPECT_TRUE(contains(too_long.err, "exceeds the model's context (128)")) << too_long.err;
  Result not_a_number = run("lm generate --model " + root_ + "/lm/hf --prompt 'the' --beams four");
  EXPECT_EQ(not_a_number.code, 2);
  EXPECT_TRUE(contains(not_a_number.err, "option '--beams' expects a number (N), got 'four'"))
      << not_a_number.err;
  std::system(("mkdir -p " + root_ + "/other && cp " + root_ + "/lm/hf/config.json " + root_ +
               "/lm/hf/model.safetensors " + root_ +
               "/other/ && echo '{\"model\": {\"type\": \"WordPiece\"}}' > " + root_ +
               "/other/tokenizer.json")
                  .c_str());
  Result other = run("lm generate --model " + root_ + "/other --prompt 'the'");
  EXPECT_EQ(other.code, 3) << other.err;
  EXPECT_TRUE(
      contains(other.err, root_ + "/other/tokenizer.json': model 'WordPiece' is not supported"))
      << other.err;
  for (const std::string& command :
       {"lm generate --model " + root_ + "/lm/hf --prompt 'the'",
        "lm score " + root_ + "/sentences.train.txt --model " + root_ + "/lm/hf"}) {
    Result device = run(command + " --output /dev/null");
    EXPECT_EQ(device.code, 2) << command << ": " << device.err;
    EXPECT_TRUE(contains(device.err, "--output '/dev/null' exists and is not a regular file"))
        << device.err;
  }
}

}  // namespace
