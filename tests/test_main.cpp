// Test main for every neuroscale test binary: initialises MPI (singleton, or the ranks of
// an `mpirun`), and says up front why *_CUDA tests will skip on a machine without a GPU.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "core/sanitizer_defaults.h"
#include "distributed/accelerator.h"
#include "distributed/mpi/mpi_context.h"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (testing::GTEST_FLAG(list_tests)) return RUN_ALL_TESTS();
  neuroscale::distributed::MpiContext mpi;
  const std::string reason = neuroscale::distributed::no_gpu_reason();
  if (!reason.empty() && mpi.rank() == 0) {
    std::printf("note: *_CUDA tests skip here: %s\n", reason.c_str());
  }
  return RUN_ALL_TESTS();
}
