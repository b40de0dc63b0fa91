// The NCCL backend of the communicator for CUDA tensors (compiled with NEUROSCALE_HAVE_NCCL).
// The NCCL communicator is bootstrapped over MPI (rank 0's unique id is broadcast) and runs
// on its own stream. Each collective first waits for the work LibTorch queued on the
// device's default stream (an event), and wait() makes that stream wait for the collective,
// so the host never blocks on the GPU unless it asks to.
#pragma once

#include <cuda_runtime.h>
#include <mpi.h>
#include <nccl.h>

#include "distributed/communicator.h"

namespace neuroscale::distributed {

class NcclCommunicator : public Communicator {
 public:
  // Collective over `parent`; this process uses CUDA device `device`.
  NcclCommunicator(MPI_Comm parent, int device, CommunicatorOptions options = {});
  ~NcclCommunicator() override;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string backend() const override { return "nccl"; }

  std::shared_ptr<Work> allreduce(at::Tensor tensor, ReduceOp op) override;
  std::shared_ptr<Work> reduce_scatter(at::Tensor input, at::Tensor output, ReduceOp op) override;
  std::shared_ptr<Work> allgather(at::Tensor input, at::Tensor output) override;
  std::shared_ptr<Work> broadcast(at::Tensor tensor, int root) override;
  void barrier() override;

 private:
  // Orders the comm stream after the default stream, runs `launch`, returns its handle.
  template <class Launch>
  std::shared_ptr<Work> enqueue(const std::string& what, std::vector<at::Tensor> keep,
                                Launch launch);

  int rank_ = 0, size_ = 1, device_ = 0;
  ncclComm_t comm_ = nullptr;
  cudaStream_t stream_ = nullptr;
};

}  // namespace neuroscale::distributed
