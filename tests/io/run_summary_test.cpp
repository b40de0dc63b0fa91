#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <fstream>

#include "core/check.h"
#include "io/fs/files.h"
#include "io/run/metrics_log.h"
#include "io/run/run_directory.h"
#include "io/run/run_summary.h"

namespace neuroscale::io {
namespace {

std::string temp_root(const std::string& name) {
  return testing::TempDir() + "neuroscale_report_" + std::to_string(::getpid()) + "_" + name;
}

TEST(MetricsLog, WritesAndReadsRecordsWithNonFiniteValuesAsNull) {
  const std::string path = temp_root("metrics.jsonl");
  std::ofstream(path) << format_metrics_line(10, {{"loss", 0.5}, {"lr", 1e-3}})
                      << format_metrics_line(20, {{"loss", NAN}, {"lr", 2.5e-4}});
  EXPECT_EQ(format_metrics_line(10, {{"loss", 0.5}, {"lr", 1e-3}}),
            "{\"step\": 10, \"loss\": 0.5, \"lr\": 0.001}\n");
  // Nine significant digits; whole numbers without a fraction; infinities as null.
  EXPECT_EQ(format_metrics_line(3, {{"elements", 1120000.0},
                                    {"s", 1.0850499999999999e-06},
                                    {"x", 0.1234567891234},
                                    {"inf", INFINITY}}),
            "{\"step\": 3, \"elements\": 1120000, \"inf\": null, \"s\": 1.08505e-06, \"x\": "
            "0.123456789}\n");
  const auto records = read_metrics_log(path);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].step, 20);
  EXPECT_TRUE(std::isnan(records[1].values.at("loss")));
  EXPECT_DOUBLE_EQ(records[1].values.at("lr"), 2.5e-4);
  EXPECT_TRUE(read_metrics_log(temp_root("missing.jsonl")).empty());
}

TEST(MetricsLog, SkipsATornLastLineButRefusesDamageInTheMiddle) {
  const std::string torn = temp_root("torn.jsonl");
  std::ofstream(torn) << "{\"step\": 1, \"loss\": 2}\n{\"step\": 2, \"lo";
  EXPECT_EQ(read_metrics_log(torn).size(), 1u);
  const std::string damaged = temp_root("damaged.jsonl");
  std::ofstream(damaged) << "{\"step\": 1, \"loss\": 2}\nnot json\n{\"step\": 3, \"loss\": 1}\n";
  try {
    read_metrics_log(damaged);
    ADD_FAILURE() << "a damaged line was accepted";
  } catch (const DataError& error) {
    EXPECT_NE(std::string(error.what()).find(damaged + "' line 2"), std::string::npos)
        << error.what();
  }
}

// A run directory as a training job leaves it.
void make_run(const std::string& dir, int seed, std::int64_t max_steps, std::int64_t last_step,
              double val_last) {
  RunDirectory run(dir);
  run.write_file("config.yaml",
                 "data:\n  corpus: \"c.h5\"\n  subjects: [a, b]\nseed: " + std::to_string(seed) +
                     "\ntrain:\n  max_steps: " + std::to_string(max_steps) + "\n");
  run.write_file(
      "environment.txt",
      "command: neuroscale pretrain x=1\nworld_size: 4\nhost (rank 0): n1\nneuroscale 0.1.0 (git "
      "abc)\n"
      "launcher environment:\nSLURM_JOB_ID=77\nSLURM_ARRAY_JOB_ID=70\nSLURM_ARRAY_TASK_ID=" +
          std::to_string(seed) + "\nSLURM_RESTART_COUNT=2\nSLURM_JOB_NUM_NODES=2\n");
  std::string metrics;
  // Interval 1 is the warm-up (slow); then 100 and 300 samples/s.
  metrics += format_metrics_line(
      10, {{"loss", 3.0}, {"samples_per_s", 1.0}, {"step_s", 0.5}, {"elements", 9}});
  metrics += format_metrics_line(
      20, {{"loss", 2.0}, {"samples_per_s", 100.0}, {"step_s", 0.25}, {"val_loss", 1.5}});
  metrics += format_metrics_line(
      last_step,
      {{"loss", 1.0 + seed}, {"samples_per_s", 300.0}, {"step_s", 0.25}, {"val_loss", val_last}});
  run.write_file("metrics.jsonl", metrics);
}

TEST(RunSummary, SummarisesFinalBestThroughputTimeAndLaunch) {
  const std::string dir = temp_root("one");
  make_run(dir, 1, 30, 30, 1.75);
  const auto run = summarize_run(dir);
  EXPECT_EQ(run.status, "finished");
  EXPECT_EQ(run.step, 30);
  EXPECT_EQ(run.world_size, 4);
  EXPECT_EQ(run.nodes, "2");
  EXPECT_EQ(run.job_id, "70_1");
  EXPECT_EQ(run.restarts, 2);
  EXPECT_DOUBLE_EQ(run.final.at("loss"), 2.0);
  EXPECT_DOUBLE_EQ(run.final.at("val_loss"), 1.75);
  EXPECT_DOUBLE_EQ(run.best.at("val_loss"), 1.5);
  EXPECT_EQ(run.final.count("elements"), 0u);
  EXPECT_DOUBLE_EQ(run.throughput.at("samples_per_s"), 200.0);  // the warm-up interval left out
  EXPECT_DOUBLE_EQ(run.train_time_s, 10 * 0.5 + 10 * 0.25 + 10 * 0.25);
  EXPECT_EQ(run.config.at("data.subjects"), "[a, b]");
}

TEST(RunSummary, ReportHasOneLinePerRunAndTheConfigKeysThatDiffer) {
  const std::string sweep = temp_root("sweep");
  make_run(sweep + "/000_seed-1", 1, 30, 30, 1.75);
  make_run(sweep + "/001_seed-2", 2, 40, 30, 1.25);  // stopped early: incomplete
  create_directories(sweep + "/logs");               // not a run: skipped
  const auto paths = find_runs({sweep + "/"});
  ASSERT_EQ(paths, (std::vector<std::string>{sweep + "/000_seed-1", sweep + "/001_seed-2"}));
  std::vector<RunSummary> runs;
  for (const auto& path : paths) runs.push_back(summarize_run(path));
  EXPECT_EQ(runs[1].status, "incomplete");
  const std::string csv = report_csv(runs);
  const std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_EQ(header,
            "run,status,step,max_steps,world_size,nodes,job_id,restarts,train_time_s,mean_samples_"
            "per_s,mean_step_s,"
            "config.seed,config.train.max_steps,final_loss,final_val_loss,best_val_loss");
  EXPECT_NE(csv.find("\n" + sweep +
                     "/001_seed-2,incomplete,30,40,4,2,70_2,2,10,200,0.25,2,40,3,1.25,1.25\n"),
            std::string::npos)
      << csv;
}

TEST(RunSummary, RefusesPathsWithoutRunsAndDamagedFiles) {
  EXPECT_THROW(find_runs({temp_root("nowhere")}), DataError);
  const std::string empty = temp_root("empty");
  create_directories(empty + "/a/b");
  try {
    find_runs({empty});
    ADD_FAILURE() << "a directory without runs was accepted";
  } catch (const DataError& error) {
    EXPECT_NE(std::string(error.what()).find("holds no run directory"), std::string::npos);
  }
  const std::string bad = temp_root("bad");
  RunDirectory(bad).write_file("config.yaml", "seed: [\n");
  EXPECT_THROW(summarize_run(bad), DataError);
}

}  // namespace
}  // namespace neuroscale::io
