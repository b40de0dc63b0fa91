// `neuroscale report --plots`: PNG plots of runs drawn by scripts/report_plots.py with
// matplotlib, from the JSON of io/run/plot_data.h.
#pragma once

#include <string>
#include <vector>

#include "core/log.h"
#include "io/run/run_summary.h"

namespace neuroscale::io {

// Draws the plots of `runs` into `dir` (created if needed); the script prints what it wrote
// and which plots it skipped for want of data. The script is $NEUROSCALE_REPORT_PLOTS, else
// <bin>/../share/neuroscale/report_plots.py (the copy CMake puts beside the executable), else
// <bin>/../../scripts/report_plots.py; the Python is $NEUROSCALE_PYTHON, else
// /usr/bin/python3, else python3 on PATH. Throws DataError when no run has metrics or an
// evaluation, or `dir` is not writable; UsageError when the script cannot be found; Error
// when matplotlib is missing (naming the package) or the script fails.
void draw_report_plots(const std::vector<RunSummary>& runs, const std::string& dir, Logger& log);

}  // namespace neuroscale::io
