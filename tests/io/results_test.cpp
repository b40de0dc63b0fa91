// The evaluation jobs' result files (io/run/results.h): the prediction lines ranks exchange,
// and the files rank 0 writes from them, read back as a user would.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <limits>

#include "core/check.h"
#include "io/fs/files.h"
#include "io/run/results.h"

namespace neuroscale::io {
namespace {

TrialPrediction prediction(std::int64_t trial, std::string text, std::int64_t phoneme_edits,
                           std::int64_t word_edits) {
  return {trial,
          "h1",
          "2024-01-0" + std::to_string(trial),
          "AA B",
          "AA",
          "a b",
          std::move(text),
          phoneme_edits,
          2,
          word_edits,
          2};
}

TEST(Results, PredictionLinesRoundTripAndKeepTextsOnOneLine) {
  auto p = prediction(7, "a\tb\nc", 1, 2);
  const auto line = prediction_line(p);
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  EXPECT_EQ(std::count(line.begin(), line.end(), '\t'), 10);
  const auto back = parse_prediction_line(line.substr(0, line.size() - 1));
  EXPECT_EQ(back.trial, 7);
  EXPECT_EQ(back.session, "2024-01-07");
  EXPECT_EQ(back.text, "a b c");
  EXPECT_EQ(back.phoneme_edits, 1);
  EXPECT_EQ(back.truth_word_count, 2);
  EXPECT_THROW(parse_prediction_line("7\th1\tonly three"), DataError);
  EXPECT_THROW(parse_prediction_line("x\th1\ts\tAA\tAA\t\t\t0\t2\t0\t0"), DataError);
}

TEST(Results, EvaluationFilesSortTrialsAndSumTheRates) {
  const std::string dir = testing::TempDir() + "neuroscale_results_" + std::to_string(::getpid());
  const auto totals = write_evaluation(
      dir, {prediction(3, "x, y", 1, 2), prediction(1, "a b", 0, 0)}, "test", 40, true,
      nlohmann::ordered_json{{"method", "beam"}, {"rescore", {{"alpha", 0.5}}}});
  EXPECT_EQ(totals.trials, 2);
  EXPECT_EQ(totals.phoneme_edits, 1);
  EXPECT_EQ(totals.phonemes, 4);
  EXPECT_EQ(totals.word_edits, 2);
  const auto tsv = read_file(dir + "/predictions.tsv").value();
  EXPECT_LT(tsv.find("\n1\th1"), tsv.find("\n3\th1"));  // trial order
  EXPECT_EQ(read_file(dir + "/submission.csv").value(), "id,text\n0,a b\n1,\"x, y\"\n");
  const auto json = nlohmann::json::parse(read_file(dir + "/evaluation.json").value());
  EXPECT_DOUBLE_EQ(json["per"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(json["wer"].get<double>(), 0.5);
  EXPECT_EQ(json["step"], 40);
  EXPECT_EQ(json["split"], "test");
  EXPECT_EQ(json["decoder"]["method"], "beam");
  EXPECT_DOUBLE_EQ(json["decoder"]["rescore"]["alpha"].get<double>(), 0.5);
  // Greedy decoding: no words, no submission, WER null.
  const std::string greedy = dir + "/greedy";
  auto no_words = prediction(1, "", 0, 0);
  no_words.truth_word_count = 0;
  write_evaluation(greedy, {no_words}, "val", 5, false, nullptr);
  EXPECT_TRUE(
      nlohmann::json::parse(read_file(greedy + "/evaluation.json").value())["wer"].is_null());
  EXPECT_FALSE(std::ifstream(greedy + "/submission.csv").good());
}

TEST(Results, AlignmentFilesWriteNaNAsNullAndTheVoxelTensors) {
  const std::string dir = testing::TempDir() + "neuroscale_alignment_" + std::to_string(::getpid());
  AlignmentResults results;
  results.model = "untuned";
  results.train_stories = {"s1", "s2"};
  results.test_stories = {"s3"};
  results.scores.push_back(
      {"P01", "train", "3", 0.25, std::numeric_limits<double>::quiet_NaN(), 0, 10, 100.0, 2});
  results.per_voxel.emplace_back("r/P01/layer3", at::full({10}, 0.25));
  write_alignment(dir, results);
  const auto json = nlohmann::json::parse(read_file(dir + "/alignment.json").value());
  EXPECT_EQ(json["scores"][0]["layer"], "3");
  EXPECT_TRUE(json["scores"][0]["mean_cc_norm"].is_null());
  EXPECT_EQ(json["test_stories"], nlohmann::json::array({"s3"}));
  EXPECT_EQ(json["scores"][0]["train_stories"], 2);
  EXPECT_EQ(
      read_file(dir + "/alignment.tsv").value(),
      "participant\trole\tlayer\tmean_r\tmean_cc_norm\tnormalised_voxels\tvoxels\tmedian_alpha\t"
      "train_stories\n"
      "P01\ttrain\t3\t0.25\tnan\t0\t10\t100\t2\n");
  EXPECT_TRUE(std::ifstream(dir + "/voxel_scores.safetensors").good());
}

}  // namespace
}  // namespace neuroscale::io
