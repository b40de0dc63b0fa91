// Fixture for tests that need a GPU. Name such tests *_CUDA; without a device they skip
// with the reason (no GPU, or the NCCL/CUDA backend not compiled).
#pragma once

#include <gtest/gtest.h>

#include "distributed/accelerator.h"

class CudaTest : public testing::Test {
 protected:
  void SetUp() override {
    // The message names the test: under mpirun the ranks' output lines interleave.
    const std::string reason = neuroscale::distributed::no_gpu_reason();
    const auto* test = testing::UnitTest::GetInstance()->current_test_info();
    if (!reason.empty())
      GTEST_SKIP() << test->test_suite_name() << "." << test->name() << ": " << reason;
  }
};
