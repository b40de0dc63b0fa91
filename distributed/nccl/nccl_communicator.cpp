#include "distributed/nccl/nccl_communicator.h"

#include <thread>

#include "core/check.h"
#include "distributed/nccl/nccl_check.h"
#include "io/mpi/mpi_check.h"

namespace neuroscale::distributed {
namespace {

ncclDataType_t nccl_type(const at::Tensor& tensor) {
  switch (tensor.scalar_type()) {
    case at::kFloat:
      return ncclFloat32;
    case at::kDouble:
      return ncclFloat64;
    case at::kHalf:
      return ncclFloat16;
    case at::kBFloat16:
      return ncclBfloat16;
    case at::kLong:
      return ncclInt64;
    case at::kInt:
      return ncclInt32;
    case at::kByte:
      return ncclUint8;
    default:
      NS_THROW(UsageError, "NCCL: unsupported dtype ", tensor.scalar_type());
  }
}

ncclRedOp_t nccl_op(ReduceOp op) { return op == ReduceOp::kAvg ? ncclAvg : ncclSum; }

void check_cuda_tensor(const at::Tensor& tensor, int device, const char* what) {
  NS_CHECK_AS(
      UsageError,
      tensor.device().is_cuda() && tensor.device().index() == device && tensor.is_contiguous(),
      "NCCL ", what, " needs a contiguous tensor on cuda:", device, ", got ", tensor.device());
}

// Completion of one collective: an event on the comm stream. The tensors stay referenced
// until the handle is dropped, so their memory is not reused while NCCL writes it.
class NcclWork : public Work {
 public:
  NcclWork(std::string what, cudaEvent_t done, std::vector<at::Tensor> keep)
      : what_(std::move(what)), done_(done), keep_(std::move(keep)) {}
  ~NcclWork() override { cudaEventDestroy(done_); }

  void wait(std::chrono::milliseconds timeout) override {
    // Order later work on the default stream after the collective, without blocking.
    NS_CUDA_CHECK(cudaStreamWaitEvent(cudaStreamLegacy, done_, 0));
    // The host still watches for a hang: a dead peer leaves the event unreached forever.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!completed()) {
      NS_CHECK_AS(CommError, std::chrono::steady_clock::now() < deadline, "NCCL ", what_,
                  " did not complete within ", timeout.count() / 1000.0,
                  " s: a rank is probably dead or stuck");
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
  bool completed() override {
    const cudaError_t status = cudaEventQuery(done_);
    if (status == cudaErrorNotReady) return false;
    NS_CUDA_CHECK(status);
    return true;
  }

 private:
  std::string what_;
  cudaEvent_t done_;
  std::vector<at::Tensor> keep_;
};

}  // namespace

NcclCommunicator::NcclCommunicator(MPI_Comm parent, int device, CommunicatorOptions options)
    : Communicator(options), device_(device) {
  NS_MPI_CHECK(MPI_Comm_rank(parent, &rank_));
  NS_MPI_CHECK(MPI_Comm_size(parent, &size_));
  ncclUniqueId id;
  if (rank_ == 0) NS_NCCL_CHECK(ncclGetUniqueId(&id));
  NS_MPI_CHECK(MPI_Bcast(&id, sizeof(id), MPI_BYTE, 0, parent));
  NS_CUDA_CHECK(cudaSetDevice(device_));
  NS_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
  NS_NCCL_CHECK(ncclCommInitRank(&comm_, size_, id, rank_));
}

NcclCommunicator::~NcclCommunicator() {
  if (comm_ != nullptr) ncclCommDestroy(comm_);
  if (stream_ != nullptr) cudaStreamDestroy(stream_);
}

template <class Launch>
std::shared_ptr<Work> NcclCommunicator::enqueue(const std::string& what,
                                                std::vector<at::Tensor> keep, Launch launch) {
  cudaEvent_t ready = nullptr, done = nullptr;
  NS_CUDA_CHECK(cudaEventCreateWithFlags(&ready, cudaEventDisableTiming));
  NS_CUDA_CHECK(cudaEventRecord(ready, cudaStreamLegacy));
  NS_CUDA_CHECK(cudaStreamWaitEvent(stream_, ready, 0));
  NS_CUDA_CHECK(cudaEventDestroy(ready));
  launch();
  NS_CUDA_CHECK(cudaEventCreateWithFlags(&done, cudaEventDisableTiming));
  NS_CUDA_CHECK(cudaEventRecord(done, stream_));
  return std::make_shared<NcclWork>(what, done, std::move(keep));
}

std::shared_ptr<Work> NcclCommunicator::allreduce(at::Tensor tensor, ReduceOp op) {
  check_cuda_tensor(tensor, device_, "allreduce");
  return enqueue("allreduce of " + std::to_string(tensor.numel()) + " elements", {tensor}, [&] {
    NS_NCCL_CHECK(ncclAllReduce(tensor.data_ptr(), tensor.data_ptr(), tensor.numel(),
                                nccl_type(tensor), nccl_op(op), comm_, stream_));
  });
}

std::shared_ptr<Work> NcclCommunicator::reduce_scatter(at::Tensor input, at::Tensor output,
                                                       ReduceOp op) {
  check_cuda_tensor(input, device_, "reduce_scatter");
  check_cuda_tensor(output, device_, "reduce_scatter");
  NS_CHECK_AS(UsageError, input.numel() == output.numel() * size_,
              "reduce_scatter: input must hold size x output elements");
  return enqueue("reduce_scatter", {input, output}, [&] {
    NS_NCCL_CHECK(ncclReduceScatter(input.data_ptr(), output.data_ptr(), output.numel(),
                                    nccl_type(output), nccl_op(op), comm_, stream_));
  });
}

std::shared_ptr<Work> NcclCommunicator::allgather(at::Tensor input, at::Tensor output) {
  check_cuda_tensor(input, device_, "allgather");
  check_cuda_tensor(output, device_, "allgather");
  NS_CHECK_AS(UsageError, output.numel() == input.numel() * size_,
              "allgather: output must hold size x input elements");
  return enqueue("allgather", {input, output}, [&] {
    NS_NCCL_CHECK(ncclAllGather(input.data_ptr(), output.data_ptr(), input.numel(),
                                nccl_type(input), comm_, stream_));
  });
}

std::shared_ptr<Work> NcclCommunicator::broadcast(at::Tensor tensor, int root) {
  check_cuda_tensor(tensor, device_, "broadcast");
  return enqueue("broadcast", {tensor}, [&] {
    NS_NCCL_CHECK(ncclBroadcast(tensor.data_ptr(), tensor.data_ptr(), tensor.numel(),
                                nccl_type(tensor), root, comm_, stream_));
  });
}

void NcclCommunicator::barrier() {
  // A one-element allreduce, waited on by the host.
  auto flag = at::zeros({1}, at::TensorOptions().device(at::kCUDA, device_));
  allreduce(flag, ReduceOp::kSum)->wait(options_.timeout);
  NS_CUDA_CHECK(cudaStreamSynchronize(stream_));
}

}  // namespace neuroscale::distributed
