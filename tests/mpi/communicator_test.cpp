// The MPI communicator on 2 and 4 ranks: every collective's result against values computed
// by hand from the rank numbers, ordering of asynchronous work, and the watchdog timeout.
#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/torch.h>

#include "core/error.h"
#include "distributed/accelerator.h"
#include "distributed/mpi/mpi_communicator.h"
#include "distributed/reducer.h"
#include "neuroscale/build_config.h"
#include "tests/cuda_test.h"
#include "tests/distributed/collective_checks.h"

#if NEUROSCALE_HAVE_NCCL
#include "distributed/nccl/nccl_communicator.h"
#endif

namespace ns = neuroscale;
using namespace ns::distributed;

TEST(MpiCommunicator, CollectivesGiveHandComputedResults) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  expect_hand_computed_collectives(comm, at::kCPU);
}

// The NCCL backend, on the ranks that have a GPU of their own (NCCL refuses two ranks on one
// device): on a one-GPU machine rank 0 alone, on a multi-GPU node all of them.
TEST_F(CudaTest, NcclCollectivesGiveHandComputedResults_CUDA) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const bool has_gpu = rank < cuda_device_count();
  MPI_Comm group = MPI_COMM_NULL;
  MPI_Comm_split(MPI_COMM_WORLD, has_gpu ? 0 : MPI_UNDEFINED, rank, &group);
  if (has_gpu) {
    const int device = select_cuda_device(rank);
#if NEUROSCALE_HAVE_NCCL
    {
      NcclCommunicator comm(group, device);
      expect_hand_computed_collectives(comm, at::Device(at::kCUDA, device));
    }
#endif
    MPI_Comm_free(&group);
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

TEST(MpiCommunicator, RejectsTensorsItCannotSend) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  EXPECT_THROW(comm.allreduce(torch::zeros({4, 4}).t(), ReduceOp::kSum), ns::UsageError);
  EXPECT_THROW(comm.allreduce(torch::zeros({4}, torch::kHalf), ReduceOp::kSum), ns::UsageError);
  EXPECT_THROW(comm.broadcast(torch::zeros({4}), comm.size()), ns::UsageError);
  comm.barrier();
}

TEST(MpiCommunicator, WaitTimesOutWhenAPeerNeverJoins) {
  // Rank 0 issues an allreduce that the other ranks join only later; its wait must end with
  // a CommError after the timeout instead of hanging.
  MPI_Comm split = MPI_COMM_NULL;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_dup(MPI_COMM_WORLD, &split);
  {
    CommunicatorOptions options;
    options.timeout = std::chrono::milliseconds(300);
    MpiCommunicator comm(split, options);
    if (rank == 0) {
      auto tensor = torch::ones({1});
      auto work = comm.allreduce(tensor, ReduceOp::kSum);
      try {
        work->wait(options.timeout);
        FAIL() << "the wait returned although rank 1 never joined";
      } catch (const ns::CommError& error) {
        EXPECT_NE(std::string(error.what()).find("did not complete"), std::string::npos);
      }
      EXPECT_FALSE(work->completed());
    }
    // Only now the other ranks join (the barrier is on another communicator, while rank 0's
    // communication thread still sits in the allreduce), so the communicator can close.
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank != 0) {
      auto tensor = torch::ones({1});
      comm.allreduce(tensor, ReduceOp::kSum)->wait(std::chrono::seconds(60));
    }
  }
  MPI_Comm_free(&split);
}

TEST(Reducer, BucketsFollowTheSizeCapsAndCoverEveryParameter) {
  MpiCommunicator comm(MPI_COMM_WORLD);
  std::vector<at::Tensor> params;
  std::vector<std::string> names;
  for (int i = 0; i < 6; ++i) {
    params.push_back(torch::zeros({1 << 16}, torch::requires_grad()));  // 256 KiB each
    names.push_back("p" + std::to_string(i));
  }
  ReducerOptions options;
  options.first_bucket_bytes = 512 << 10;  // two parameters
  options.bucket_bytes = 1 << 20;          // four parameters
  Reducer reducer(names, params, comm, options);
  ASSERT_EQ(reducer.bucket_count(), 2u);
  EXPECT_EQ(reducer.bucket_members(0), (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(reducer.bucket_members(1), (std::vector<std::size_t>{2, 3, 4, 5}));
  // gradients are views of the buckets: backward writes straight into them
  (params[0] * comm.rank()).sum().backward();
  EXPECT_EQ(params[0].grad().sum().item<float>(), static_cast<float>(comm.rank() << 16));
  reducer.verify_parameters_identical();
  if (comm.rank() == 1) params[3].detach().add_(1.0);
  try {
    reducer.verify_parameters_identical();
    FAIL() << "diverged parameters were not detected";
  } catch (const ns::CommError& error) {
    EXPECT_NE(std::string(error.what()).find("'p3' diverged: rank 1"), std::string::npos)
        << error.what();
  }
}
