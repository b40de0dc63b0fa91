// RUN_DIR/metrics.jsonl: one flat JSON object per log interval, {"step": 10, "loss": 0.91,
// ...}, keys after "step" sorted, values numbers (null for a non-finite value). Written by
// training jobs (rank 0), read by `neuroscale report`.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace neuroscale::io {

struct MetricsLine {
  std::int64_t step = 0;
  std::map<std::string, double> values;  // null in the file reads as NaN
};

// The line for one record, newline included.
std::string format_metrics_line(std::int64_t step, const std::map<std::string, double>& values);

// Every record of `path` in file order. A missing file is an empty log. Throws DataError
// naming the file and line when a line is not such an object (a line cut short by a crash
// at the very end of the file is skipped, as a torn last write).
std::vector<MetricsLine> read_metrics_log(const std::string& path);

// Cuts the log at `path` back to the records of steps up to `step` (a resumed checkpoint's),
// atomically, so a run that died after logging steps past its last checkpoint has no
// duplicate steps once resumed. A line that is not a record (a torn last write) is dropped;
// a missing file stays missing.
void rewind_metrics_log(const std::string& path, std::int64_t step);

}  // namespace neuroscale::io
