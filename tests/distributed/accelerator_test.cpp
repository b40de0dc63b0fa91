#include <gtest/gtest.h>

#include "core/check.h"
#include "distributed/accelerator.h"
#include "tests/cuda_test.h"

namespace neuroscale::distributed {
namespace {

TEST(Accelerator, ReportsBackendConsistently) {
  const std::string version = nccl_version();
  if (nccl_compiled()) {
    EXPECT_EQ(version.rfind("NCCL 2.", 0), 0u) << version;
  } else {
    EXPECT_NE(version.find("not compiled"), std::string::npos) << version;
  }
  // No device <=> a reason; the reason is what *_CUDA tests print when they skip.
  EXPECT_EQ(cuda_device_count() == 0, !no_gpu_reason().empty());
}

TEST(Accelerator, SelectingAGpuWithoutOneIsACommError) {
  if (cuda_device_count() > 0) {
    GTEST_SKIP() << "Accelerator.SelectingAGpuWithoutOneIsACommError: this machine has a GPU";
  }
  try {
    select_cuda_device(1);
    FAIL();
  } catch (const CommError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot select a GPU for local rank 1"),
              std::string::npos);
  }
}

using AcceleratorCuda = CudaTest;

TEST_F(AcceleratorCuda, SelectsOneDevicePerLocalRank_CUDA) {
  const int devices = cuda_device_count();
  for (int local_rank = 0; local_rank < 2 * devices; ++local_rank) {
    EXPECT_EQ(select_cuda_device(local_rank), local_rank % devices);
  }
}

}  // namespace
}  // namespace neuroscale::distributed
