// What scripts/report_plots.py draws for `neuroscale report --plots`, as one JSON document:
//   {"runs": [{"name", "path", "command", "status", "world_size",
//              "samples_per_s" (mean after the first interval, or null),
//              "label_fraction" (data.label_fraction of the run, or of the fine-tuning run an
//                                evaluate run's checkpoint= points into; null without one),
//              "eval_per" (evaluation.json's per, or null),
//              "records": [{"step": 5, "loss": 1.9, ...}, ...]  (metrics.jsonl, finite values)}]}
// The script only draws; which runs make which plot is its business (docs/cli.md).
#pragma once

#include <string>
#include <vector>

#include "io/run/run_summary.h"

namespace neuroscale::io {

// The JSON above for `runs` (named by run_names()). Throws DataError naming a config.yaml it
// had to read for a label fraction and could not parse.
std::string plot_data_json(const std::vector<RunSummary>& runs);

}  // namespace neuroscale::io
