// `neuroscale ingest --format lebel` (jobs/ingest_lebel.cpp), and the comma lists its
// options take; dispatched by jobs/ingest_command.cpp.
#pragma once

#include <string>
#include <vector>

#include "io/ingest/lebel_source.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {

// "a,b,,c" -> {"a", "b", "c"}.
std::vector<std::string> split_list(const std::string& text);

// An fMRI corpus (docs/fmri-format.md), not a neural one. Serial: under mpirun, rank 0
// converts while the other ranks wait for it.
int run_ingest_lebel(Runtime& runtime, io::LebelOptions options,
                     const std::vector<std::string>& inputs);

}  // namespace neuroscale::jobs
