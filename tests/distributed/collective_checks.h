// Checks every communicator backend passes (MPI under mpirun, NCCL on GPUs, the in-process
// local group): each collective's result against values computed by hand from the ranks.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>

#include "distributed/communicator.h"

namespace neuroscale::distributed {

// Every collective of `comm` on tensors of `device`, against values computed by hand from the
// rank numbers.
inline void expect_hand_computed_collectives(Communicator& comm, const at::Device& device) {
  const int r = comm.rank(), n = comm.size();
  const auto on = [&](at::Tensor t) { return t.to(device); };
  // allreduce: element i of rank r holds r + i
  auto sum = on(torch::arange(5, torch::kFloat) + r);
  auto avg = sum.clone();
  auto sum_work = comm.allreduce(sum, ReduceOp::kSum);
  auto avg_work = comm.allreduce(avg, ReduceOp::kAvg);
  sum_work->wait(std::chrono::seconds(60));
  avg_work->wait(std::chrono::seconds(60));
  const float ranks = n * (n - 1) / 2.0f;
  EXPECT_TRUE(torch::allclose(sum.cpu(), torch::arange(5, torch::kFloat) * n + ranks));
  EXPECT_TRUE(torch::allclose(avg.cpu(), torch::arange(5, torch::kFloat) + ranks / n));
  // reduce_scatter: block b of rank r's input is (r + 1) * (b + 1)
  auto input = torch::empty({n * 3}, torch::kDouble);
  for (int b = 0; b < n; ++b) input.slice(0, b * 3, b * 3 + 3).fill_((r + 1) * (b + 1));
  auto block = on(torch::empty({3}, torch::kDouble));
  comm.reduce_scatter(on(input), block, ReduceOp::kSum)->wait(std::chrono::seconds(60));
  EXPECT_TRUE(torch::allclose(block.cpu(),
                              torch::full({3}, (r + 1.0) * n * (n + 1) / 2.0, torch::kDouble)));
  // allgather: rank r contributes {r, -r}
  auto gathered = on(torch::empty({2 * n}, torch::kLong));
  comm.allgather(on(torch::tensor({static_cast<int64_t>(r), static_cast<int64_t>(-r)})), gathered)
      ->wait(std::chrono::seconds(60));
  const auto gathered_cpu = gathered.cpu();
  for (int k = 0; k < n; ++k) EXPECT_EQ(gathered_cpu[2 * k].item<int64_t>(), k);
  // broadcast from the last rank
  auto value = on(torch::full({4}, static_cast<float>(r)));
  comm.broadcast(value, n - 1)->wait(std::chrono::seconds(60));
  EXPECT_TRUE(torch::equal(value.cpu(), torch::full({4}, static_cast<float>(n - 1))));
  comm.barrier();
}

}  // namespace neuroscale::distributed
