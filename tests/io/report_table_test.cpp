// The summary table and plot data of `neuroscale report`: short run names, metric columns
// only where some run has the metric, aligned cells, and label fractions found through an
// evaluate run's checkpoint. (The whole command over real runs, with the PNGs, is the
// report_table_and_plots test.)
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>

#include "io/fs/files.h"
#include "io/run/metrics_log.h"
#include "io/run/plot_data.h"
#include "io/run/report_table.h"
#include "io/run/run_directory.h"

namespace neuroscale::io {
namespace {

RunSummary summary(const std::string& path, const std::string& command, std::int64_t ranks,
                   std::map<std::string, double> final) {
  RunSummary run;
  run.path = path;
  run.command = command;
  run.status = "finished";
  run.world_size = ranks;
  run.step = 20;
  run.records.push_back({20, final});
  run.final = std::move(final);
  return run;
}

TEST(ReportTable, NamesRunsByWhatTheirPathsDoNotShare) {
  std::vector<RunSummary> runs = {summary("runs/sweep/np1", "pretrain", 1, {}),
                                  summary("runs/sweep/np2/", "pretrain", 2, {}),
                                  summary("runs/sweep/deep/np4", "pretrain", 4, {})};
  EXPECT_EQ(run_names(runs), (std::vector<std::string>{"np1", "np2", "deep/np4"}));
  EXPECT_EQ(run_names({summary("/abs/one/run", "", 1, {})}), (std::vector<std::string>{"run"}));
  EXPECT_EQ(run_names({summary("a", "", 1, {}), summary("a/b", "", 1, {})}),
            (std::vector<std::string>{"a", "a/b"}));
}

TEST(ReportTable, MetricColumnsOnlyWhereARunHasThemAndCellsAligned) {
  auto pre = summary("runs/pre", "pretrain", 2, {{"loss", 1.23456}, {"val_loss", 2.0}});
  pre.best["val_loss"] = 1.5;
  pre.throughput["samples_per_s"] = 1234.5;
  pre.train_time_s = 75;
  auto eval = summary("runs/eval", "evaluate", 1, {});
  eval.records.clear();
  eval.status = "no-metrics";
  eval.evaluation = {{"per", 0.25}, {"trials", 40}};
  const std::string table = report_table({pre, eval});
  EXPECT_EQ(table.substr(0, table.find("\n| eval ") + 1),
            "| run  | command  | status     | steps | ranks |       time | samples/s |  loss | "
            "val_loss | best val_loss | eval per |\n"
            "| ---- | -------- | ---------- | ----: | ----: | ---------: | --------: | ----: | "
            "-------: | ------------: | -------: |\n"
            "| pre  | pretrain | finished   |    20 |     2 | 1 min 15 s |      1234 | 1.235 |     "
            "   2 |           1.5 |          |\n")
      << table;
  EXPECT_EQ(table.find("val_per"), std::string::npos) << "no run has val_per: " << table;
  EXPECT_EQ(table.find("eval wer"), std::string::npos) << table;
  EXPECT_NE(table.find("| eval | evaluate | no-metrics |       |     1 |"), std::string::npos)
      << table;
  EXPECT_NE(table.find("|     0.25 |\n"), std::string::npos) << table;
  // Every line has the same length (padded columns).
  std::size_t width = table.find('\n');
  for (std::size_t at = 0; at < table.size(); at = table.find('\n', at) + 1) {
    EXPECT_EQ(table.find('\n', at) - at, width) << table;
  }
}

TEST(PlotData, LabelFractionOfAnEvaluateRunComesFromItsCheckpointsRun) {
  const std::string root =
      testing::TempDir() + "neuroscale_plot_data_" + std::to_string(::getpid());
  RunDirectory ft(root + "/ft");
  ft.write_file("config.yaml", "data:\n  label_fraction: 0.25\ntrain:\n  max_steps: 20\n");
  create_directories(root + "/ft/checkpoints/step-00000020");
  auto evaluate = summary(root + "/eval", "evaluate", 1, {});
  evaluate.records.clear();
  evaluate.evaluation = {{"per", 0.5}};
  evaluate.config["checkpoint"] = root + "/ft/checkpoints/step-00000020";
  auto finetune = summary(root + "/ft", "finetune", 1, {{"val_per", 0.75}, {"loss", NAN}});
  finetune.config["data.label_fraction"] = "0.25";
  finetune.throughput["samples_per_s"] = 10;
  const std::string json = plot_data_json({evaluate, finetune});
  EXPECT_NE(
      json.find(
          "\"name\": \"eval\", \"path\": \"" + root +
          "/eval\", \"command\": \"evaluate\", \"status\": "
          "\"finished\", \"world_size\": 1, \"samples_per_s\": null, \"label_fraction\": 0.25, "
          "\"eval_per\": 0.5, \"records\": []}"),
      std::string::npos)
      << json;
  EXPECT_NE(
      json.find(
          "\"samples_per_s\": 10.0, \"label_fraction\": 0.25, \"eval_per\": null, \"records\": "
          "[{\"step\": 20, \"val_per\": 0.75}]"),
      std::string::npos)
      << "non-finite values are left out: " << json;
}

}  // namespace
}  // namespace neuroscale::io
