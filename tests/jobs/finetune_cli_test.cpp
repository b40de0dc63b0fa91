// End-to-end tests of `neuroscale finetune`: a short pretraining on the tiny corpus, then
// CTC fine-tuning from its checkpoint and from scratch; the pretrained encoder is really
// copied in; a model that does not match the checkpoint is refused; label fractions.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/checkpoint/checkpoint_reader.h"
#include "io/fs/files.h"
#include "io/run/metrics_log.h"
#include "tests/jobs/cli_run.h"

namespace {

using neuroscale::cli_test::Result;
using neuroscale::cli_test::run;

const std::string kSource = NEUROSCALE_SOURCE_DIR;

// The model tensors of a run's newest checkpoint, by name.
std::map<std::string, at::Tensor> model_tensors(const std::string& run_dir) {
  namespace io = neuroscale::io;
  const auto [path, manifest] = io::newest_verified_checkpoint(io::locate_checkpoints(run_dir), {});
  const auto tensors = io::read_checkpoint_tensors(
      path, manifest, [](const std::string& name) { return name.rfind("model.", 0) == 0; });
  return {tensors.begin(), tensors.end()};
}

class FinetuneCli : public testing::Test {
 protected:
  // The corpus and the pretraining run, made once per process by its first case (run()
  // names its output files after the current case, so this cannot be SetUpTestSuite).
  void SetUp() override {
    if (!root_.empty()) return;
    root_ = testing::TempDir() + "neuroscale_finetune_" + std::to_string(::getpid());
    std::system(("rm -rf " + root_ + " && mkdir -p " + root_).c_str());
    Result synth =
        run("synth --config " + kSource + "/configs/synth/tiny.yaml --output " + root_ +
            "/corpus.h5 --lexicon " + root_ + "/lexicon.dict --sentences " + root_ + "/sentences");
    ASSERT_EQ(synth.code, 0) << synth.err;
    Result pretrain =
        run("pretrain --config " + kSource + "/configs/pretrain/tiny.yaml --run-dir " + root_ +
            "/pre data.corpus=" + root_ + "/corpus.h5 model.patch_size=2 train.max_steps=10");
    ASSERT_EQ(pretrain.code, 0) << pretrain.err;
  }
  std::string finetune(const std::string& name, const std::string& extra) {
    return "finetune --config " + kSource + "/configs/finetune/tiny.yaml --run-dir " + root_ + "/" +
           name + " --resume none data.corpus=" + root_ + "/corpus.h5 " + extra;
  }
  static std::string root_;
};
std::string FinetuneCli::root_;

TEST_F(FinetuneCli, StartsFromThePretrainedEncoderAndLogsErrorRates) {
  // With a zero learning rate nothing moves: the fine-tuning checkpoint holds exactly the
  // pretrained encoder (shared layers and the reused read-ins).
  Result frozen = run(finetune("frozen", "init.checkpoint=" + root_ +
                                             "/pre train.max_steps=2 schedule.lr=0 "
                                             "schedule.warmup_steps=0"));
  ASSERT_EQ(frozen.code, 0) << frozen.err;
  EXPECT_NE(frozen.err.find("read-ins reused for human-a, monkey-a"), std::string::npos)
      << frozen.err;
  const auto pre = model_tensors(root_ + "/pre");
  const auto tuned = model_tensors(root_ + "/frozen");
  int compared = 0;
  for (const auto& [name, tensor] : tuned) {
    if (name.rfind("model.encoder.", 0) != 0) continue;
    ASSERT_TRUE(pre.count(name)) << name;
    EXPECT_TRUE(at::equal(pre.at(name), tensor)) << name;
    ++compared;
  }
  EXPECT_GT(compared, 10);
  EXPECT_TRUE(tuned.count("model.head.weight"));
  EXPECT_EQ(tuned.at("model.head.weight").size(0), 41);

  // Training for real: the loss falls and the error rates are logged.
  Result tuned_run = run(finetune("tuned", "init.checkpoint=" + root_ + "/pre train.max_steps=30"));
  ASSERT_EQ(tuned_run.code, 0) << tuned_run.err;
  EXPECT_NE(tuned_run.err.find("  per "), std::string::npos) << tuned_run.err;
  const auto records = neuroscale::io::read_metrics_log(root_ + "/tuned/metrics.jsonl");
  ASSERT_GE(records.size(), 2u);
  EXPECT_LT(records.back().values.at("loss"), records.front().values.at("loss"));
  for (const char* key : {"per", "val_per", "val_loss", "trials", "infinite_trials"}) {
    EXPECT_TRUE(records.back().values.count(key)) << key;
  }
  EXPECT_GE(records.back().values.at("val_per"), 0.0);
}

TEST_F(FinetuneCli, NewReadInsStartAnewAndTheRestIsReused) {
  // init.new_read_ins: human-a's read-in is the fresh one a from-scratch run of the same seed
  // has, not the pretrained one; monkey-a's and the shared layers are still the checkpoint's.
  const std::string frozen = " train.max_steps=2 schedule.lr=0 schedule.warmup_steps=0";
  Result renewed = run(finetune(
      "renewed", "init.checkpoint=" + root_ + "/pre init.new_read_ins=[human-a]" + frozen));
  ASSERT_EQ(renewed.code, 0) << renewed.err;
  EXPECT_NE(renewed.err.find("read-ins reused for monkey-a; new read-ins for human-a"),
            std::string::npos)
      << renewed.err;
  Result scratch = run(finetune("renewed_scratch", frozen));
  ASSERT_EQ(scratch.code, 0) << scratch.err;
  const auto pre = model_tensors(root_ + "/pre");
  const auto tuned = model_tensors(root_ + "/renewed");
  const auto fresh = model_tensors(root_ + "/renewed_scratch");
  int human = 0, monkey = 0, shared = 0;
  for (const auto& [name, tensor] : tuned) {
    if (name.rfind("model.encoder.", 0) != 0) continue;
    if (name.rfind("model.encoder.read_in.human-a.", 0) == 0) {
      EXPECT_FALSE(at::equal(pre.at(name), tensor)) << name;
      EXPECT_TRUE(at::equal(fresh.at(name), tensor)) << name;
      ++human;
    } else {
      EXPECT_TRUE(at::equal(pre.at(name), tensor)) << name;
      ++(name.rfind("model.encoder.read_in.", 0) == 0 ? monkey : shared);
    }
  }
  EXPECT_GT(human, 0);
  EXPECT_GT(monkey, 0);
  EXPECT_GT(shared, 10);

  Result unknown = run(finetune(
      "renewed_unknown", "init.checkpoint=" + root_ + "/pre init.new_read_ins=[human-z]" + frozen));
  EXPECT_EQ(unknown.code, 2);
  EXPECT_NE(unknown.err.find("init.new_read_ins: 'human-z' is not a subject of this model (its "
                             "subjects: human-a, monkey-a)"),
            std::string::npos)
      << unknown.err;
  Result without = run(finetune("renewed_without", "init.new_read_ins=[human-a]" + frozen));
  EXPECT_EQ(without.code, 2);
  EXPECT_NE(without.err.find("'init.new_read_ins' needs 'init.checkpoint'"), std::string::npos)
      << without.err;
}

TEST_F(FinetuneCli, FromScratchAndLabelFractions) {
  Result scratch = run(finetune("scratch", "train.max_steps=6 data.label_fraction=0.25"));
  ASSERT_EQ(scratch.code, 0) << scratch.err;
  EXPECT_EQ(scratch.err.find("encoder initialised"), std::string::npos) << scratch.err;
  Result bad = run(finetune("bad", "data.label_fraction=0"));
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("data.label_fraction"), std::string::npos) << bad.err;
}

TEST_F(FinetuneCli, RefusesAnEncoderThatDoesNotMatchTheCheckpoint) {
  Result wider =
      run(finetune("wider", "init.checkpoint=" + root_ + "/pre model.hidden=32 model.mlp=64"));
  EXPECT_EQ(wider.code, 2) << wider.err;
  EXPECT_NE(
      wider.err.find("is [64] there but [32] here (model.* must match the pretraining config)"),
      std::string::npos)
      << wider.err;
  Result not_pretraining = run(finetune("nothing", "init.checkpoint=" + root_ + "/missing"));
  EXPECT_NE(not_pretraining.code, 0);
  EXPECT_NE(not_pretraining.err.find(root_ + "/missing"), std::string::npos) << not_pretraining.err;
}

TEST_F(FinetuneCli, EvaluateWritesPredictionsASubmissionAndErrorRates) {
  Result tuned =
      run(finetune("eval_source", "init.checkpoint=" + root_ + "/pre train.max_steps=30"));
  ASSERT_EQ(tuned.code, 0) << tuned.err;
  // A uniform unigram language model over the synthetic vocabulary (and </s>).
  const std::string words[] = {
      "i",    "want",   "to",    "go",    "home",    "water",   "please", "thank", "you",
      "my",   "family", "is",    "here",  "good",    "morning", "how",    "are",   "we",
      "need", "more",   "time",  "the",   "doctor",  "come",    "back",   "soon",  "yes",
      "no",   "chair",  "juice", "voice", "measure", "show",    "day",    "they",  "her"};
  std::string arpa = "\\data\\\nngram 1=38\n\n\\1-grams:\n-99 <s>\n-1.5682 </s>\n";
  for (const auto& w : words) arpa += "-1.5682 " + w + "\n";
  arpa += "\n\\end\\\n";
  std::ofstream(root_ + "/uniform.arpa") << arpa;
  const std::string evaluate =
      "evaluate --config " + kSource + "/configs/evaluate/tiny.yaml checkpoint=" + root_ +
      "/eval_source data.corpus=" + root_ + "/corpus.h5 decode.lexicon=" + root_ + "/lexicon.dict ";
  Result beam =
      run(evaluate + "--run-dir " + root_ + "/eval_beam decode.lm=" + root_ + "/uniform.arpa");
  ASSERT_EQ(beam.code, 0) << beam.err;
  EXPECT_NE(beam.err.find("language model " + root_ + "/uniform.arpa: order 1, 38 n-grams"),
            std::string::npos)
      << beam.err;
  const auto predictions = neuroscale::cli_test::slurp(root_ + "/eval_beam/predictions.tsv");
  const auto submission = neuroscale::cli_test::slurp(root_ + "/eval_beam/submission.csv");
  const auto summary = neuroscale::cli_test::slurp(root_ + "/eval_beam/evaluation.json");
  const int trials = neuroscale::cli_test::count_lines(predictions) - 1;
  ASSERT_GT(trials, 0) << predictions;
  EXPECT_EQ(submission.rfind("id,text\n0,", 0), 0u) << submission;
  EXPECT_EQ(neuroscale::cli_test::count_lines(submission), trials + 1);
  EXPECT_NE(summary.find("\"trials\": " + std::to_string(trials)), std::string::npos) << summary;
  // The rates are sums of the per-trial columns: recompute them from predictions.tsv.
  std::istringstream lines(predictions);
  std::string line;
  std::getline(lines, line);  // header
  long phoneme_edits = 0, phonemes = 0, word_edits = 0, word_count = 0;
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string x; std::getline(fields, x, '\t');) f.push_back(x);
    ASSERT_EQ(f.size(), 11u) << line;
    phoneme_edits += std::stol(f[7]), phonemes += std::stol(f[8]), word_edits += std::stol(f[9]),
        word_count += std::stol(f[10]);
  }
  EXPECT_NE(summary.find("\"phoneme_edits\": " + std::to_string(phoneme_edits) +
                         ", \"phonemes\": " + std::to_string(phonemes)),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("\"word_edits\": " + std::to_string(word_edits) +
                         ", \"words\": " + std::to_string(word_count)),
            std::string::npos)
      << summary;
  EXPECT_GT(word_count, 0);

  // Greedy decoding: phonemes only, so no submission and no WER.
  Result greedy = run(evaluate + "--run-dir " + root_ + "/eval_greedy decode.method=greedy");
  ASSERT_EQ(greedy.code, 0) << greedy.err;
  EXPECT_NE(
      neuroscale::cli_test::slurp(root_ + "/eval_greedy/evaluation.json").find("\"wer\": null"),
      std::string::npos);
  EXPECT_TRUE(neuroscale::cli_test::slurp(root_ + "/eval_greedy/submission.csv").empty());

  // A pretraining checkpoint is not a fine-tuned model; beam without a lexicon is refused.
  Result wrong =
      run("evaluate --config " + kSource + "/configs/evaluate/tiny.yaml --run-dir " + root_ +
          "/eval_wrong checkpoint=" + root_ + "/pre data.corpus=" + root_ + "/corpus.h5");
  EXPECT_NE(wrong.code, 0);
  EXPECT_NE(wrong.err.find(root_ + "/pre"), std::string::npos) << wrong.err;
  Result no_lexicon = run(evaluate + "--run-dir " + root_ + "/eval_x decode.lexicon='\"\"'");
  EXPECT_EQ(no_lexicon.code, 2);
  EXPECT_NE(no_lexicon.err.find("needs 'decode.lexicon'"), std::string::npos) << no_lexicon.err;
}

TEST_F(FinetuneCli, EvaluateRescoresWithAnLlmAndAveragesAnEnsemble) {
  Result first = run(finetune("ens_a", "init.checkpoint=" + root_ + "/pre train.max_steps=20"));
  ASSERT_EQ(first.code, 0) << first.err;
  Result second =
      run(finetune("ens_b", "init.checkpoint=" + root_ + "/pre train.max_steps=20 seed=7"));
  ASSERT_EQ(second.code, 0) << second.err;
  // An LLM of the synthetic language (lm train on the sentences synth wrote).
  Result lm = run("lm train --config " + kSource + "/configs/lm/tiny.yaml --run-dir " + root_ +
                  "/lm data.text=" + root_ + "/sentences.train.txt data.validation_text=" + root_ +
                  "/sentences.val.txt train.max_steps=30 data.vocab_size=400");
  ASSERT_EQ(lm.code, 0) << lm.err;
  const std::string evaluate =
      "evaluate --config " + kSource + "/configs/evaluate/tiny.yaml checkpoint=" + root_ +
      "/ens_a data.corpus=" + root_ + "/corpus.h5 decode.lexicon=" + root_ + "/lexicon.dict ";
  const auto json = [&](const std::string& run_dir) {
    return nlohmann::json::parse(
        neuroscale::cli_test::slurp(root_ + "/" + run_dir + "/evaluation.json"));
  };

  // Rescoring: the settings are recorded; with alpha 0 and acoustic scale 1 the rescored
  // choice is the beam's (the beam ranks by the same acoustic and n-gram scores).
  const std::string rescore = "decode.rescore.llm=" + root_ + "/lm/hf decode.rescore.nbest=6 ";
  Result rescored = run(evaluate + "--run-dir " + root_ + "/eval_rescored " + rescore);
  ASSERT_EQ(rescored.code, 0) << rescored.err;
  EXPECT_NE(rescored.err.find("rescoring 6-best lists with " + root_ + "/lm/hf"), std::string::npos)
      << rescored.err;
  const auto settings = json("eval_rescored")["decoder"]["rescore"];
  EXPECT_EQ(settings["nbest"], 6);
  EXPECT_DOUBLE_EQ(settings["alpha"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(settings["acoustic_scale"].get<double>(), 0.5);
  Result plain = run(evaluate + "--run-dir " + root_ + "/eval_plain");
  ASSERT_EQ(plain.code, 0) << plain.err;
  Result neutral = run(evaluate + "--run-dir " + root_ + "/eval_neutral " + rescore +
                       "decode.rescore.alpha=0 decode.rescore.acoustic_scale=1");
  ASSERT_EQ(neutral.code, 0) << neutral.err;
  EXPECT_EQ(neuroscale::cli_test::slurp(root_ + "/eval_neutral/predictions.tsv"),
            neuroscale::cli_test::slurp(root_ + "/eval_plain/predictions.tsv"));

  // An ensemble of a model with its own checkpoint decodes as the model alone; with
  // another model, both are listed.
  namespace io = neuroscale::io;
  const auto checkpoint =
      io::newest_verified_checkpoint(io::locate_checkpoints(root_ + "/ens_a"), {}).first;
  Result self = run(evaluate + "--run-dir " + root_ + "/eval_self ensemble=[" + checkpoint + "]");
  ASSERT_EQ(self.code, 0) << self.err;
  EXPECT_EQ(neuroscale::cli_test::slurp(root_ + "/eval_self/predictions.tsv"),
            neuroscale::cli_test::slurp(root_ + "/eval_plain/predictions.tsv"));
  Result pair = run(evaluate + "--run-dir " + root_ + "/eval_pair ensemble=[" + root_ + "/ens_b]");
  ASSERT_EQ(pair.code, 0) << pair.err;
  EXPECT_EQ(json("eval_pair")["decoder"]["models"].size(), 2u);

  // Bad input: one line naming the key or file, nothing written.
  Result missing = run(evaluate + "--run-dir " + root_ + "/eval_bad decode.rescore.llm=" + root_ +
                       "/no-such-lm");
  EXPECT_EQ(missing.code, 2) << missing.err;
  EXPECT_NE(missing.err.find("'decode.rescore.llm' is '" + root_ + "/no-such-lm'"),
            std::string::npos)
      << missing.err;
  Result greedy =
      run(evaluate + "--run-dir " + root_ + "/eval_bad decode.method=greedy " + rescore);
  EXPECT_EQ(greedy.code, 2) << greedy.err;
  EXPECT_NE(greedy.err.find("rescores the n-best list of 'decode.method: beam'"), std::string::npos)
      << greedy.err;
  // A tokenizer with more tokens than the model's vocabulary belongs to another model.
  neuroscale::cli_test::write_foreign_tokenizer_copy(root_ + "/lm/hf", root_ + "/other-lm");
  Result other =
      run(evaluate + "--run-dir " + root_ + "/eval_bad decode.rescore.llm=" + root_ + "/other-lm");
  EXPECT_EQ(other.code, 3) << other.err;
  EXPECT_NE(other.err.find(root_ + "/other-lm/tokenizer.json' has 5001 tokens"), std::string::npos)
      << other.err;
  EXPECT_FALSE(neuroscale::io::path_exists(root_ + "/eval_bad/evaluation.json"));
}

}  // namespace
