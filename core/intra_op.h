// The threads the engine's own CPU kernels reach through LibTorch's at::parallel_for.
//
// at::parallel_for's OpenMP backend lives in LibTorch's headers; a translation unit compiled
// without OpenMP runs it on the calling thread alone, silently. The build compiles the
// engine with OpenMP (cmake/Dependencies.cmake); this is the check that it took.
#pragma once

#include <cstdint>

namespace neuroscale {

// Runs `tasks` empty tasks (grain 1) through at::parallel_for from this translation unit and
// returns how many distinct threads ran at least one: min(tasks, at::get_num_threads()) when
// the engine's kernels run in parallel, 1 when they do not. Called outside a parallel region.
int intra_op_threads_reached(std::int64_t tasks);

}  // namespace neuroscale
