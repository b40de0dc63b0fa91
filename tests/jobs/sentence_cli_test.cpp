// End-to-end tests of BIT's end-to-end stage: `finetune` with `task: sentence` (an LM trained
// on the synthetic corpus' sentences, frozen with LoRA; the encoder from a CTC run) and
// `evaluate` with decode.method llm; bad input refused with one line, nothing written.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "io/checkpoint/checkpoint_reader.h"
#include "io/fs/files.h"
#include "tests/jobs/cli_run.h"

namespace {

using neuroscale::cli_test::Result;
using neuroscale::cli_test::run;
using neuroscale::cli_test::slurp;

const std::string kSource = NEUROSCALE_SOURCE_DIR;

class SentenceCli : public testing::Test {
 protected:
  // The corpus, its sentences' LM and a short CTC fine-tuning, made once per process.
  void SetUp() override {
    if (!root_.empty()) return;
    root_ = testing::TempDir() + "neuroscale_sentence_" + std::to_string(::getpid());
    std::system(("rm -rf " + root_ + " && mkdir -p " + root_).c_str());
    Result synth =
        run("synth --config " + kSource + "/configs/synth/tiny.yaml --output " + root_ +
            "/corpus.h5 --sentences " + root_ + "/s --lexicon " + root_ + "/lexicon.dict");
    ASSERT_EQ(synth.code, 0) << synth.err;
    Result lm = run("lm train --config " + kSource + "/configs/lm/tiny.yaml --run-dir " + root_ +
                    "/lm data.text=" + root_ + "/s.train.txt data.vocab_size=400 " +
                    "model.max_positions=256 train.max_steps=40");
    ASSERT_EQ(lm.code, 0) << lm.err;
    Result ctc = run("finetune --config " + kSource + "/configs/finetune/tiny.yaml --run-dir " +
                     root_ + "/ctc data.corpus=" + root_ + "/corpus.h5 train.max_steps=10");
    ASSERT_EQ(ctc.code, 0) << ctc.err;
  }
  std::string finetune(const std::string& name, const std::string& extra) {
    return "finetune --config " + kSource + "/configs/finetune/sentence-tiny.yaml --run-dir " +
           root_ + "/" + name + " --resume none data.corpus=" + root_ +
           "/corpus.h5 sentence.llm=" + root_ + "/lm/hf " + extra;
  }
  std::string evaluate(const std::string& name, const std::string& checkpoint,
                       const std::string& extra) {
    return "evaluate --config " + kSource + "/configs/evaluate/tiny.yaml --run-dir " + root_ + "/" +
           name + " checkpoint=" + root_ + "/" + checkpoint + " data.corpus=" + root_ +
           "/corpus.h5 decode.lexicon='\"\"' " + extra;
  }
  static std::string root_;
};
std::string SentenceCli::root_;

// The values of `key` in a run's metrics.jsonl, in step order.
std::vector<double> metric(const std::string& run_dir, const std::string& key) {
  std::vector<double> values;
  std::istringstream lines(slurp(run_dir + "/metrics.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    const auto record = nlohmann::json::parse(line);
    if (record.contains(key)) values.push_back(record[key].get<double>());
  }
  return values;
}

TEST_F(SentenceCli, TrainsFromACtcRunAndTheLlmWritesTheSentences) {
  Result tuned = run(finetune("e2e", "init.checkpoint=" + root_ + "/ctc train.max_steps=40"));
  ASSERT_EQ(tuned.code, 0) << tuned.err;
  EXPECT_NE(tuned.err.find("encoder initialised from " + root_ + "/ctc"), std::string::npos)
      << tuned.err;
  const auto token_loss = metric(root_ + "/e2e", "token_loss");
  ASSERT_GE(token_loss.size(), 4u);
  EXPECT_LT(token_loss.back(), 0.7 * token_loss.front()) << "the sentence loss did not fall";
  EXPECT_FALSE(metric(root_ + "/e2e", "contrastive").empty());

  Result greedy = run(evaluate("eval", "e2e", "decode.method=llm"));
  ASSERT_EQ(greedy.code, 0) << greedy.err;
  const auto summary = nlohmann::json::parse(slurp(root_ + "/eval/evaluation.json"));
  EXPECT_TRUE(summary["wer"].is_number());
  EXPECT_GT(summary["words"].get<int>(), 0);
  EXPECT_TRUE(summary["per"].is_null());
  EXPECT_GT(summary["decoder"]["latency_mean_s"].get<double>(), 0.0);
  EXPECT_GE(summary["decoder"]["latency_p95_s"].get<double>(),
            summary["decoder"]["latency_mean_s"].get<double>() - 1e-12);
  const int trials = summary["trials"].get<int>();
  EXPECT_EQ(neuroscale::cli_test::count_lines(slurp(root_ + "/eval/submission.csv")), trials + 1);

  Result beams = run(evaluate("eval_beams", "e2e",
                              "decode.method=llm decode.llm.beams=3 "
                              "decode.llm.nbest=2"));
  ASSERT_EQ(beams.code, 0) << beams.err;
  EXPECT_EQ(neuroscale::cli_test::count_lines(slurp(root_ + "/eval_beams/nbest.tsv")),
            2 * trials + 1);

  // An ensemble of the model with its own checkpoint decodes as the model alone (greedy: one
  // candidate each, scored alike); with another model, both are listed and every pooled
  // candidate is in nbest.tsv.
  namespace io = neuroscale::io;
  const auto checkpoint =
      io::newest_verified_checkpoint(io::locate_checkpoints(root_ + "/e2e"), {}).first;
  Result self =
      run(evaluate("eval_self", "e2e", "decode.method=llm ensemble=[" + checkpoint + "]"));
  ASSERT_EQ(self.code, 0) << self.err;
  EXPECT_EQ(slurp(root_ + "/eval_self/predictions.tsv"), slurp(root_ + "/eval/predictions.tsv"));
  Result other = run(finetune("e2e_b", "init.checkpoint=" + root_ +
                                           "/ctc train.max_steps=20 seed=5 sentence.ctc_weight=1"));
  ASSERT_EQ(other.code, 0) << other.err;
  Result pair = run(evaluate("eval_pair", "e2e",
                             "decode.method=llm decode.llm.beams=2 "
                             "decode.llm.nbest=2 ensemble=[" +
                                 root_ + "/e2e_b]"));
  ASSERT_EQ(pair.code, 0) << pair.err;
  EXPECT_EQ(nlohmann::json::parse(slurp(root_ + "/eval_pair/evaluation.json"))["decoder"]["models"]
                .size(),
            2u);
  EXPECT_GE(neuroscale::cli_test::count_lines(slurp(root_ + "/eval_pair/nbest.tsv")), trials + 1);

  // BIT's acoustic score: with the CTC head of e2e_b, each candidate's phonemes (by the
  // synthetic lexicon) scored against it; nbest.tsv's total is score + scale * acoustic and
  // orders the candidates. The model without a head is refused.
  Result acoustic = run(evaluate("eval_acoustic", "e2e_b",
                                 "decode.method=llm decode.llm.beams=3 decode.llm.nbest=3 "
                                 "decode.llm.acoustic_scale=0.5 decode.lexicon=" +
                                     root_ + "/lexicon.dict"));
  ASSERT_EQ(acoustic.code, 0) << acoustic.err;
  const auto decoder =
      nlohmann::json::parse(slurp(root_ + "/eval_acoustic/evaluation.json"))["decoder"];
  EXPECT_EQ(decoder["acoustic_scale"].get<double>(), 0.5);
  EXPECT_EQ(decoder["lexicon"].get<std::string>(), root_ + "/lexicon.dict");
  std::istringstream rows(slurp(root_ + "/eval_acoustic/nbest.tsv"));
  std::string row;
  std::getline(rows, row);
  EXPECT_EQ(row, "trial\trank\tscore\tlog_probability\tacoustic\ttotal\ttext");
  int scored = 0;
  std::string previous_trial;
  double previous_total = 0.0;
  while (std::getline(rows, row)) {
    std::vector<std::string> f;
    std::istringstream fields(row);
    for (std::string x; std::getline(fields, x, '\t');) f.push_back(x);
    ASSERT_GE(f.size(), 6u) << row;
    if (f[4].empty()) continue;  // a word outside the lexicon
    ++scored;
    const double total = std::stod(f[5]);
    EXPECT_NEAR(total, std::stod(f[2]) + 0.5 * std::stod(f[4]), 1e-4) << row;
    EXPECT_LE(std::stod(f[4]), 0.0) << row;
    if (f[0] == previous_trial) EXPECT_LE(total, previous_total + 1e-9) << row;
    previous_trial = f[0];
    previous_total = total;
  }
  EXPECT_GT(scored, trials) << "most candidates are words of the synthetic language";
  Result headless = run(evaluate("eval_x", "e2e",
                                 "decode.method=llm decode.llm.acoustic_scale=0.5 "
                                 "decode.lexicon=" +
                                     root_ + "/lexicon.dict"));
  EXPECT_EQ(headless.code, 2) << headless.err;
  EXPECT_NE(headless.err.find("was fine-tuned without one (set sentence.ctc_weight > 0"),
            std::string::npos)
      << headless.err;
  Result no_lexicon =
      run(evaluate("eval_x", "e2e_b", "decode.method=llm decode.llm.acoustic_scale=0.5"));
  EXPECT_EQ(no_lexicon.code, 2) << no_lexicon.err;
  EXPECT_NE(no_lexicon.err.find("'decode.llm.acoustic_scale' needs 'decode.lexicon'"),
            std::string::npos)
      << no_lexicon.err;

  // Each evaluation refuses the other kind of checkpoint, naming the method to use.
  Result ctc_as_llm = run(evaluate("eval_x", "ctc", "decode.method=llm"));
  EXPECT_EQ(ctc_as_llm.code, 2) << ctc_as_llm.err;
  EXPECT_NE(ctc_as_llm.err.find("is a CTC phoneme model"), std::string::npos) << ctc_as_llm.err;
  Result llm_as_ctc = run(evaluate("eval_x", "e2e", "decode.method=greedy"));
  EXPECT_EQ(llm_as_ctc.code, 2) << llm_as_ctc.err;
  EXPECT_NE(llm_as_ctc.err.find("decode it with decode.method llm"), std::string::npos)
      << llm_as_ctc.err;
  EXPECT_FALSE(neuroscale::io::path_exists(root_ + "/eval_x/evaluation.json"));
}

TEST_F(SentenceCli, BadInputIsRefusedWithOneLineAndNothingWritten) {
  Result no_marker = run(finetune("bad1", "sentence.prompt='no marker'"));
  EXPECT_EQ(no_marker.code, 2) << no_marker.err;
  EXPECT_NE(no_marker.err.find("'sentence.prompt' must contain exactly one '#'"), std::string::npos)
      << no_marker.err;
  // An LM directory without weights.
  std::system(("mkdir -p " + root_ + "/no-weights && cp " + root_ + "/lm/hf/config.json " + root_ +
               "/lm/hf/tokenizer.json " + root_ + "/no-weights/")
                  .c_str());
  Result no_weights = run(finetune("bad2", "sentence.llm=" + root_ + "/no-weights"));
  EXPECT_EQ(no_weights.code, 3) << no_weights.err;
  EXPECT_NE(no_weights.err.find(root_ + "/no-weights"), std::string::npos) << no_weights.err;
  // A tokenizer with more tokens than the LM's vocabulary.
  neuroscale::cli_test::write_foreign_tokenizer_copy(root_ + "/lm/hf", root_ + "/other-lm");
  Result other = run(finetune("bad3", "sentence.llm=" + root_ + "/other-lm"));
  EXPECT_EQ(other.code, 3) << other.err;
  EXPECT_NE(other.err.find(root_ + "/other-lm/tokenizer.json' has 5001 tokens"), std::string::npos)
      << other.err;
  // An encoder checkpoint of another width than the config's encoder (and projector).
  Result narrow = run(finetune("bad4", "init.checkpoint=" + root_ + "/ctc model.hidden=32"));
  EXPECT_EQ(narrow.code, 2) << narrow.err;
  EXPECT_NE(narrow.err.find("init.checkpoint '" + root_ + "/ctc"), std::string::npos) << narrow.err;
  for (const char* name : {"bad1", "bad2", "bad3", "bad4"}) {
    EXPECT_FALSE(neuroscale::io::path_exists(root_ + "/" + name + "/checkpoints/step-00000040"))
        << name;
    EXPECT_FALSE(neuroscale::io::path_exists(root_ + "/" + name + "/metrics.jsonl")) << name;
  }
}

}  // namespace
