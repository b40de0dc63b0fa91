// End-to-end tests of `neuroscale braintune` and `neuroscale evaluate --task brain-alignment`
// on the tiny synthetic fMRI corpus: help and --dry-run, configuration and data errors with
// their exit codes and the key or file they name, the metrics of a short run, and the
// alignment pipeline against the generator's own encoding model (features.source
// ground_truth), including its refusal on a corpus without ground truth.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "io/hdf5/h5_file.h"
#include "io/run/metrics_log.h"
#include "io/tensors/safetensors.h"
#include "tests/jobs/cli_run.h"

namespace {

using neuroscale::cli_test::Result;
using neuroscale::cli_test::run;
using neuroscale::cli_test::slurp;

const std::string kSource = NEUROSCALE_SOURCE_DIR;
const std::string kBraintune = "braintune --config " + kSource + "/configs/braintune/tiny.yaml";
const std::string kAlignment = "evaluate --task brain-alignment --config " + kSource +
                               "/configs/evaluate/brain-alignment-tiny.yaml";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class BraintuneCli : public testing::Test {
 protected:
  // The corpus, made once per process by its first case (run() names its output files after
  // the current case, so this cannot be SetUpTestSuite).
  void SetUp() override {
    if (!root_.empty()) return;
    root_ = testing::TempDir() + "neuroscale_braintune_" + std::to_string(::getpid());
    std::system(("rm -rf " + root_ + " && mkdir -p " + root_).c_str());
    Result synth = run("synth --kind fmri --config " + kSource +
                       "/configs/synth/fmri-tiny.yaml --output " + root_ + "/fmri.h5");
    ASSERT_EQ(synth.code, 0) << synth.err;
  }
  // `braintune` on the corpus, with `extra` overrides after the options.
  std::string braintune(const std::string& run_dir, const std::string& extra) const {
    return kBraintune + " --run-dir " + root_ + "/" + run_dir +
           " --resume none data.corpus=" + root_ + "/fmri.h5 " + extra;
  }
  static std::string root_;
};
std::string BraintuneCli::root_;

// Rows of a TSV file (header included), split into fields.
std::vector<std::vector<std::string>> tsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::istringstream in(line);
    for (std::string field; std::getline(in, field, '\t');) fields.push_back(field);
    rows.push_back(fields);
  }
  return rows;
}

TEST_F(BraintuneCli, HelpDescribesBothCommands) {
  Result help = run("braintune --help");
  EXPECT_EQ(help.code, 0) << help.err;
  for (const char* part : {"usage: neuroscale braintune", "LoRA adapters", "shared voxel space",
                           "configs/braintune/*.yaml", "loss_<participant>", "exits 75"}) {
    EXPECT_TRUE(contains(help.out, part)) << part << "\n" << help.out;
  }
  Result alignment = run("evaluate --task brain-alignment --help");
  EXPECT_EQ(alignment.code, 0) << alignment.err;
  for (const char* part :
       {"usage: neuroscale evaluate --task brain-alignment", "bootstrap ridge", "alignment.tsv",
        "alignment.json", "voxel_scores.safetensors", "configs/evaluate/brain-alignment-*.yaml"}) {
    EXPECT_TRUE(contains(alignment.out, part)) << part << "\n" << alignment.out;
  }
  Result evaluate = run("evaluate --help");
  EXPECT_EQ(evaluate.code, 0) << evaluate.err;
  EXPECT_TRUE(contains(evaluate.out, "--task brain-alignment")) << evaluate.out;
}

TEST_F(BraintuneCli, DryRunPrintsTheResolvedConfig) {
  Result dry = run(kBraintune + " --dry-run data.corpus=" + root_ +
                   "/fmri.h5 train.epochs=3 model.lora.rank=4");
  ASSERT_EQ(dry.code, 0) << dry.err;
  for (const char* part : {"epochs: 3", "batch_rows: 16", "rank: 4", "alpha: 32",
                           "warmup_fraction: 0.1", "name: \"adamw\"", "weight_decay: 0.01",
                           "grad_clip: 0", "seed: 122", "base_weights: \"\""}) {
    EXPECT_TRUE(contains(dry.out, part)) << part << "\n" << dry.out;
  }
  EXPECT_TRUE(contains(dry.out, "corpus: \"" + root_ + "/fmri.h5\"")) << dry.out;
  // Nothing ran: no run directory, no log lines.
  EXPECT_FALSE(contains(dry.err, "brain-tuning")) << dry.err;

  Result alignment = run(kAlignment + " --dry-run --run-dir " + root_ +
                         "/dry data.corpus=" + root_ + "/fmri.h5 features.source=ground_truth");
  ASSERT_EQ(alignment.code, 0) << alignment.err;
  for (const char* part : {"task: \"brain-alignment\"", "source: \"ground_truth\"",
                           "delays: [1, 2, 3, 4]", "context_s: 16", "min_cc_max: 0.05"}) {
    EXPECT_TRUE(contains(alignment.out, part)) << part << "\n" << alignment.out;
  }
}

TEST_F(BraintuneCli, ConfigErrorsExitTwoAndNameTheKey) {
  struct Case {
    std::string overrides;
    std::vector<std::string> message;
  };
  const std::vector<Case> cases = {
      {"train.epoch=3", {"unknown key 'train.epoch'", "did you mean 'train.epochs'"}},
      {"data.participants=[P09]",
       {"data.participants", "no participant 'P09'", "P01, P02, P03, P04, P05"}},
      {"data.train_stories=[story99]", {"data.train_stories", "no story 'story99'"}},
      {"data.val_stories=[story99]", {"data.val_stories", "no story 'story99'"}},
      {"schedule.warmup_steps=5",
       {"schedule.warmup_fraction", "schedule.warmup_steps", "not both"}},
      {"model.hidden=33", {"hidden (33) must be divisible by heads (2)"}},
      {"train.batch_rows=0", {"train.batch_rows", "out of range"}},
      {"model.lora.rank=0", {"model.lora.rank", "out of range"}},
      {"data.window_s=0", {"data.window_s", "out of range"}},
  };
  for (const auto& c : cases) {
    Result result = run(braintune("config_error", c.overrides));
    EXPECT_EQ(result.code, 2) << c.overrides << "\n" << result.err;
    for (const auto& part : c.message)
      EXPECT_TRUE(contains(result.err, part)) << c.overrides << ": " << result.err;
  }
}

TEST_F(BraintuneCli, MissingFilesAreDataErrorsNamingTheFile) {
  Result corpus = run(braintune("no_corpus", "data.corpus=" + root_ + "/missing.h5"));
  EXPECT_EQ(corpus.code, 3) << corpus.err;
  EXPECT_TRUE(contains(corpus.err, root_ + "/missing.h5")) << corpus.err;
  Result weights = run(braintune("no_weights", "model.base_weights=/nonexistent.safetensors"));
  EXPECT_EQ(weights.code, 3) << weights.err;
  EXPECT_TRUE(contains(weights.err, "/nonexistent.safetensors")) << weights.err;
}

TEST_F(BraintuneCli, ShortRunLogsPerParticipantLossesAndValidation) {
  // 16 rows per step: story03's first participant (P01) trains first.
  Result tuned = run(braintune("short", "train.max_steps=2 train.log_every=1 train.eval_every=2"));
  ASSERT_EQ(tuned.code, 0) << tuned.err;
  EXPECT_TRUE(contains(tuned.err, "brain-tuning P01, P02, P03 on 4 stories")) << tuned.err;
  const auto records = neuroscale::io::read_metrics_log(root_ + "/short/metrics.jsonl");
  ASSERT_EQ(records.size(), 2u);
  const auto& last = records.back().values;
  for (const char* key : {"loss", "loss_P01", "spatial_r", "val_loss", "val_loss_P01",
                          "val_loss_P02", "val_loss_P03", "val_spatial_r"}) {
    EXPECT_TRUE(last.count(key)) << key;
  }
  EXPECT_EQ(last.count("loss_P02"), 0u);  // one participant per step
  EXPECT_EQ(last.at("loss"), last.at("loss_P01"));
  EXPECT_GE(last.at("spatial_r"), -1.0);
  EXPECT_LE(last.at("spatial_r"), 1.0);
}

TEST_F(BraintuneCli, EvaluateRejectsAnUnknownTask) {
  Result bogus = run("evaluate --task bogus --config " + kSource +
                     "/configs/evaluate/brain-alignment-tiny.yaml");
  EXPECT_EQ(bogus.code, 2) << bogus.err;
  EXPECT_TRUE(contains(bogus.err, "expected phonemes or brain-alignment, got 'bogus'"))
      << bogus.err;
}

TEST_F(BraintuneCli, GroundTruthFeaturesRecoverTheGeneratorsEncodingModel) {
  // The generator's responses are a linear map of its HRF-convolved features at the same
  // row, so delay 0 is its own encoding model; every participant, trained or held out, must
  // be well predicted on the held-out story.
  Result aligned =
      run(kAlignment + " --run-dir " + root_ + "/truth data.corpus=" + root_ +
          "/fmri.h5 features.source=ground_truth ridge.delays=[0] ridge.chunk_length=5");
  ASSERT_EQ(aligned.code, 0) << aligned.err;
  const auto rows = tsv(slurp(root_ + "/truth/alignment.tsv"));
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"participant", "role", "layer", "mean_r",
                                               "mean_cc_norm", "normalised_voxels", "voxels",
                                               "median_alpha", "train_stories"}));
  std::set<std::string> participants;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 9u);
    participants.insert(rows[i][0]);
    EXPECT_EQ(rows[i][1], i <= 3 ? "train" : "held_out");
    EXPECT_EQ(rows[i][2], "ground_truth");
    EXPECT_GT(std::stod(rows[i][3]), 0.2) << rows[i][0];
    EXPECT_LE(std::stod(rows[i][3]), 1.0) << rows[i][0];
    EXPECT_EQ(rows[i][6], "96");
    EXPECT_EQ(rows[i][8], "4");  // story03-06
  }
  EXPECT_EQ(participants, (std::set<std::string>{"P01", "P02", "P03", "P04", "P05"}));
  const auto json = nlohmann::json::parse(slurp(root_ + "/truth/alignment.json"));
  EXPECT_EQ(json["test_stories"], nlohmann::json::array({"story01"})) << json;
  EXPECT_EQ(json["model"], "untuned") << json;
  EXPECT_EQ(json["scores"].size(), rows.size() - 1) << json;  // one per alignment.tsv row
  const auto voxels = neuroscale::io::read_safetensors(root_ + "/truth/voxel_scores.safetensors");
  std::set<std::string> names;
  for (const auto& [name, tensor] : voxels.tensors) {
    names.insert(name);
    EXPECT_EQ(tensor.numel(), 96) << name;
  }
  for (const char* name :
       {"r/P01/ground_truth", "alpha/P01/ground_truth", "cc_max/P01", "r/P05/ground_truth"}) {
    EXPECT_TRUE(names.count(name)) << name;
  }

  // Encoding-data efficiency: the same features fit on the first 1 and 2 training stories
  // too; the fits on all 4 are those above, and one story predicts worse than four.
  Result curve = run(kAlignment + " --run-dir " + root_ + "/curve data.corpus=" + root_ +
                     "/fmri.h5 features.source=ground_truth ridge.delays=[0] ridge.chunk_length=5 "
                     "'data.encoding_stories=[2, 1]'");
  ASSERT_EQ(curve.code, 0) << curve.err;
  const auto curve_rows = tsv(slurp(root_ + "/curve/alignment.tsv"));
  ASSERT_EQ(curve_rows.size(), 1u + 3 * 5);
  std::map<std::string, double> mean_r;  // train_stories -> mean over participants
  for (std::size_t i = 1; i < curve_rows.size(); ++i) {
    const std::string n = curve_rows[i][8];
    EXPECT_EQ(n, i <= 5 ? "1" : i <= 10 ? "2" : "4") << i;
    mean_r[n] += std::stod(curve_rows[i][3]) / 5;
    if (n == "4") EXPECT_EQ(curve_rows[i], rows[i - 10]);
  }
  EXPECT_LT(mean_r["1"], mean_r["4"]);
  const auto curve_voxels =
      neuroscale::io::read_safetensors(root_ + "/curve/voxel_scores.safetensors");
  std::set<std::string> curve_names;
  for (const auto& [name, tensor] : curve_voxels.tensors) curve_names.insert(name);
  for (const char* name : {"r/P01/ground_truth/stories1", "alpha/P05/ground_truth/stories2",
                           "r/P01/ground_truth", "cc_max/P01"}) {
    EXPECT_TRUE(curve_names.count(name)) << name;
  }
  Result too_many = run(kAlignment + " --run-dir " + root_ + "/too-many data.corpus=" + root_ +
                        "/fmri.h5 features.source=ground_truth 'data.encoding_stories=[5]'");
  EXPECT_EQ(too_many.code, 2) << too_many.err;
  EXPECT_TRUE(contains(too_many.err, "data.encoding_stories")) << too_many.err;

  // The same corpus without one story's hidden features is refused, naming the dataset.
  const std::string bare = root_ + "/bare.h5";
  std::system(("cp " + root_ + "/fmri.h5 " + bare).c_str());
  {
    neuroscale::io::H5Id file(H5Fopen(bare.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose, "open");
    NS_H5_CHECK(H5Ldelete(file.get(), "/ground_truth/stories/story03/features", H5P_DEFAULT),
                "delete");
  }
  Result refused = run(kAlignment + " --run-dir " + root_ + "/bare data.corpus=" + bare +
                       " features.source=ground_truth ridge.chunk_length=5");
  EXPECT_EQ(refused.code, 2) << refused.err;
  EXPECT_TRUE(contains(refused.err, "/ground_truth/stories/story03/features")) << refused.err;
  EXPECT_TRUE(contains(refused.err, bare)) << refused.err;
}

}  // namespace
