// The summary table of `neuroscale report`: one row per run with its name, command, status,
// steps, ranks, training time, mean samples/s, and the final and best values of the metrics
// people compare (loss, val_loss, best val_loss, per, val_per, and an evaluate run's PER and
// WER). A metric column appears when some run has it. GitHub markdown with padded columns,
// so it reads as plain text too.
#pragma once

#include <string>
#include <vector>

#include "io/run/run_summary.h"

namespace neuroscale::io {

// Short, distinct names for runs: their paths without the directory prefix all of them
// share ("runs/sweep/np1", "runs/sweep/np2" -> "np1", "np2"; a single run: its last
// component).
std::vector<std::string> run_names(const std::vector<RunSummary>& runs);

// The table, newline-terminated rows.
std::string report_table(const std::vector<RunSummary>& runs);

}  // namespace neuroscale::io
