// What `neuroscale report` says of finished (or unfinished) runs: each run directory's final
// and best metrics, its throughput and time, how it was launched, and its resolved config,
// gathered into one CSV. A run directory is one holding config.yaml or metrics.jsonl (see
// io/run/run_directory.h); a sweep directory holds run directories.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "io/run/metrics_log.h"

namespace neuroscale::io {

struct RunSummary {
  std::string path;
  std::string status;           ///< finished (reached train.max_steps), incomplete, or no-metrics
  std::int64_t step = 0;        ///< last logged step
  std::int64_t max_steps = 0;   ///< train.max_steps of the resolved config (0: none)
  std::int64_t world_size = 0;  ///< ranks of the last launch (environment.txt)
  std::string nodes;            ///< SLURM_JOB_NUM_NODES of the last launch, if any
  std::string job_id;           ///< SLURM_JOB_ID (array jobs: ARRAY_JOB_ID_TASK_ID)
  std::int64_t restarts = 0;    ///< SLURM_RESTART_COUNT of the last launch
  double train_time_s = 0;      ///< sum over log intervals of step_s x steps in the interval
  std::map<std::string, double>
      throughput;                       ///< mean rates and per-step times, after the first interval
  std::map<std::string, double> final;  ///< each metric's last logged value
  std::map<std::string, double> best;   ///< minimum of each val_* loss metric
  std::map<std::string, std::string> config;  ///< resolved config leaves, "train.max_steps" -> "30"
  std::string command;  ///< the subcommand that made the run ("pretrain"; environment.txt)
  std::vector<MetricsLine> records;  ///< metrics.jsonl, for plots
  std::map<std::string, double>
      evaluation;  ///< the numbers of evaluation.json (evaluate runs; null: NaN)
};

// The run directories under `paths`, in argument order then name order: a path that is a
// run, or the runs found under it (up to 4 levels). Throws DataError naming a path that does
// not exist or holds no run.
std::vector<std::string> find_runs(const std::vector<std::string>& paths);

// Reads config.yaml, environment.txt and metrics.jsonl of `dir`. Throws DataError naming the
// file when one of them exists but cannot be read.
RunSummary summarize_run(const std::string& dir);

// One header line and one line per run (RFC 4180 quoting). Config columns ("config.<key>")
// are the keys whose values differ between the runs, such as a sweep's axes.
std::string report_csv(const std::vector<RunSummary>& runs);

}  // namespace neuroscale::io
