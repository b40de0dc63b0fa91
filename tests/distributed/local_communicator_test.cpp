// The in-process communicator (ranks as threads) and, on it, the distributed pieces that
// needed mpirun before: the gradient reducer, the ZeRO-1 partition, the small gathers and the
// sharded checkpointer. The real-mpirun tests (tests/mpi/) stay; these run in milliseconds.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <atomic>
#include <sstream>

#include "core/error.h"
#include "core/log.h"
#include "distributed/checkpoint.h"
#include "distributed/gather.h"
#include "distributed/local/local_communicator.h"
#include "distributed/reducer.h"
#include "distributed/zero.h"
#include "io/checkpoint/checkpoint_dir.h"
#include "tests/distributed/collective_checks.h"

namespace neuroscale::distributed {
namespace {

CommunicatorOptions quick_timeout() {
  CommunicatorOptions options;
  options.timeout = std::chrono::milliseconds(300);
  return options;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(LocalCommunicator, CollectivesGiveHandComputedResults) {
  for (int ranks : {1, 2, 3, 4}) {
    run_local_ranks(ranks, [](Communicator& comm) {
      EXPECT_EQ(comm.backend(), "local");
      expect_hand_computed_collectives(comm, at::kCPU);
    });
  }
}

TEST(LocalCommunicator, AllreduceSumsInRankOrderSoEveryRankGetsTheSameBits) {
  std::vector<at::Tensor> results(3);
  run_local_ranks(3, [&](Communicator& comm) {
    auto values = torch::full({64}, 0.1f * static_cast<float>(comm.rank() + 1)) / 7.0f;
    comm.allreduce(values, ReduceOp::kAvg)->wait(std::chrono::seconds(5));
    results[static_cast<std::size_t>(comm.rank())] = values;
  });
  EXPECT_TRUE(torch::equal(results[0], results[1]));
  EXPECT_TRUE(torch::equal(results[0], results[2]));
}

TEST(LocalCommunicator, MismatchedCollectivesAreNamed) {
  try {
    run_local_ranks(
        2,
        [](Communicator& comm) {
          auto values = torch::zeros({comm.rank() == 0 ? 4 : 5});
          comm.allreduce(values, ReduceOp::kSum)->wait(std::chrono::seconds(5));
        },
        quick_timeout());
    FAIL() << "ranks issuing different collectives were not detected";
  } catch (const CommError& error) {
    const std::string message = error.what();
    // Whichever rank came second names both; the first times out waiting for it.
    EXPECT_TRUE(contains(message, "of 4 elements") || contains(message, "never arrived"))
        << message;
  }
}

TEST(LocalCommunicator, ARankThatNeverArrivesIsNamedAfterTheTimeout) {
  try {
    run_local_ranks(
        3,
        [](Communicator& comm) {
          if (comm.rank() != 2) comm.barrier();
        },
        quick_timeout());
    FAIL() << "the barrier did not time out";
  } catch (const CommError& error) {
    EXPECT_TRUE(contains(error.what(), "barrier")) << error.what();
    EXPECT_TRUE(contains(error.what(), "(ranks 2)")) << error.what();
  }
  EXPECT_THROW(LocalGroup(0), UsageError);
  EXPECT_THROW(LocalGroup(2).communicator(2), UsageError);
}

// The reducer's result is the sum of the ranks' gradients, also for parameters only some
// ranks use in a step (their gradient is the sum of the ranks that did).
TEST(Reducer, SumsEveryRanksGradientsAcrossBuckets) {
  run_local_ranks(3, [](Communicator& comm) {
    const int r = comm.rank();
    std::vector<at::Tensor> params;
    std::vector<std::string> names;
    for (int i = 0; i < 4; ++i) {
      params.push_back(torch::zeros({1 << 14}, torch::requires_grad()));  // 64 KiB each
      names.push_back("p" + std::to_string(i));
    }
    ReducerOptions options;
    options.first_bucket_bytes = 64 << 10;
    options.bucket_bytes = 128 << 10;
    Reducer reducer(names, params, comm, options);
    ASSERT_EQ(reducer.bucket_count(), 3u);
    reducer.zero_grad();
    reducer.prepare_for_backward(true);
    auto loss = (params[0] * (r + 1)).sum() + (params[1] * 2.0).sum() + (params[2] * r).sum();
    if (r == 1) loss = loss + (params[3] * 5.0).sum();  // only rank 1 uses p3
    loss.backward();
    reducer.finish();
    EXPECT_EQ(params[0].grad()[7].item<float>(), 1.0f + 2.0f + 3.0f);
    EXPECT_EQ(params[1].grad()[0].item<float>(), 6.0f);
    EXPECT_EQ(params[2].grad()[9].item<float>(), 0.0f + 1.0f + 2.0f);
    EXPECT_EQ(params[3].grad()[3].item<float>(), 5.0f);
    reducer.verify_parameters_identical();
  });
}

TEST(ParameterPartition, EveryRankEndsWithTheOwnersValues) {
  run_local_ranks(3, [](Communicator& comm) {
    std::vector<std::string> names;
    std::vector<at::Tensor> params;
    for (int i = 0; i < 7; ++i) {
      names.push_back("p" + std::to_string(i));
      params.push_back(torch::zeros({10 + i}));
    }
    ParameterPartition partition(names, params, comm.size());
    // Each rank writes its rank into what it owns and garbage elsewhere.
    for (std::size_t i = 0; i < params.size(); ++i) {
      params[i].fill_(partition.owner(i) == comm.rank() ? 100.0f + static_cast<float>(i) : -1.0f);
    }
    partition.broadcast_from_owners(comm);
    for (std::size_t i = 0; i < params.size(); ++i) {
      EXPECT_TRUE(torch::equal(params[i], torch::full({static_cast<std::int64_t>(10 + i)},
                                                      100.0f + static_cast<float>(i))))
          << names[i];
    }
    std::int64_t total = 0;
    for (int r = 0; r < comm.size(); ++r) total += partition.owned_bytes(r);
    EXPECT_EQ(total, (10 + 11 + 12 + 13 + 14 + 15 + 16) * 4);
  });
}

TEST(Gather, TextAndNumbersOfEveryRankInRankOrder) {
  run_local_ranks(3, [](Communicator& comm) {
    const int r = comm.rank();
    const auto texts =
        allgather_text(comm, at::kCPU, std::string(static_cast<std::size_t>(r * 3), 'a' + r));
    ASSERT_EQ(texts.size(), 3u);
    EXPECT_EQ(texts[0], "");
    EXPECT_EQ(texts[2], "cccccc");
    const auto numbers = allgather_numbers(comm, at::kCPU, {r, -r * 10});
    EXPECT_EQ(numbers, (std::vector<std::int64_t>{0, 0, 1, -10, 2, -20}));
  });
}

// Two ranks save a checkpoint with replicated parameters and each rank's own optimiser
// partition; it verifies, and loading it back restores every tensor and each rank's state.
TEST(Checkpointer, SavesVerifiesAndLoadsShardedStateOnTwoRanks) {
  const std::string dir =
      testing::TempDir() + "neuroscale_local_ckpt_" + std::to_string(::getpid());
  for (bool async : {false, true}) {
    const std::string directory = dir + (async ? "/async" : "/sync");
    run_local_ranks(2, [&](Communicator& comm) {
      const int r = comm.rank();
      ProcessInfo process;
      process.rank = r;
      process.world_size = 2;
      LoggerOptions quiet;
      quiet.level = LogLevel::kError;
      std::ostringstream console;
      Logger log(process, quiet, console);
      CheckpointOptions options;
      options.directory = directory;
      options.policy.async = async;
      Checkpointer checkpointer(options, comm, log);
      EXPECT_EQ(checkpointer.begin("auto"), "");
      auto weight = torch::arange(12, torch::kFloat).view({3, 4});
      auto moment = torch::full({5}, 10.0f + static_cast<float>(r));  // each rank's own
      CheckpointContent content;
      content.replicated.emplace_back("model.weight", weight);
      content.owned.emplace_back("optim.m" + std::to_string(r), moment);
      content.state.step = 7;
      content.state.rank = r;
      content.state.world_size = 2;
      content.state.cursor = 40 + r;
      checkpointer.save(7, content);
      checkpointer.wait();
      // Into fresh tensors: the same names, shapes and dtypes.
      CheckpointContent target;
      auto weight_back = torch::zeros({3, 4});
      auto moment_back = torch::zeros({5});
      target.replicated.emplace_back("model.weight", weight_back);
      target.owned.emplace_back("optim.m" + std::to_string(r), moment_back);
      const auto state = checkpointer.load(directory + "/step-00000007", target);
      EXPECT_TRUE(torch::equal(weight_back, weight));
      EXPECT_TRUE(torch::equal(moment_back, moment));
      EXPECT_EQ(state.step, 7);
      EXPECT_EQ(state.cursor, 40 + r);
    });
    const auto manifest = io::verify_checkpoint(directory + "/step-00000007");
    EXPECT_EQ(manifest.world_size, 2);
    EXPECT_EQ(manifest.tensors.size(), 3u);  // the weight once, each rank's moment
  }
}

}  // namespace
}  // namespace neuroscale::distributed
