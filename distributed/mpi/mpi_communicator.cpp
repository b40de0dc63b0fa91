#include "distributed/mpi/mpi_communicator.h"

#include <algorithm>
#include <future>
#include <thread>
#include <vector>

#include "core/check.h"
#include "io/mpi/mpi_check.h"

namespace neuroscale::distributed {
namespace {

MPI_Datatype mpi_type(const at::Tensor& tensor, const char* what) {
  switch (tensor.scalar_type()) {
    case at::kFloat:
      return MPI_FLOAT;
    case at::kDouble:
      return MPI_DOUBLE;
    case at::kLong:
      return MPI_INT64_T;
    case at::kInt:
      return MPI_INT32_T;
    case at::kByte:
      return MPI_UINT8_T;
    default:
      NS_THROW(UsageError, "MPI ", what, ": unsupported dtype ", tensor.scalar_type(),
               " (float32, float64, int64, int32, uint8)");
  }
}

void check_cpu(const at::Tensor& tensor, const char* what) {
  NS_CHECK_AS(UsageError, tensor.device().is_cpu() && tensor.is_contiguous(), "MPI ", what,
              " needs a contiguous CPU tensor, got ", tensor.device(),
              tensor.is_contiguous() ? "" : " (non-contiguous)");
}

int count_of(const at::Tensor& tensor) {
  NS_CHECK_AS(UsageError, tensor.numel() <= INT32_MAX, "MPI collective of ", tensor.numel(),
              " elements exceeds MPI's int count; split it");
  return static_cast<int>(tensor.numel());
}

class MpiWork : public Work {
 public:
  // `comm` runs the liveness probe on a timeout; it outlives every wait() (the contract of
  // Communicator: handles are waited on before the communicator goes).
  MpiWork(std::string what, std::shared_future<void> done, MpiCommunicator* comm)
      : what_(std::move(what)), done_(std::move(done)), comm_(comm) {}
  void wait(std::chrono::milliseconds timeout) override {
    if (done_.wait_for(timeout) != std::future_status::ready) {
      comm_->mark_broken();
      const auto silent = comm_->unresponsive_ranks(
          std::min<std::chrono::milliseconds>(timeout, std::chrono::seconds(10)));
      NS_THROW(
          CommError, "MPI ", what_, " did not complete within ", timeout.count() / 1000.0, " s: ",
          silent.empty()
              ? std::string("a rank is probably dead or stuck")
              : "rank(s) " + silent + " stopped answering (dead, or stuck outside the collective)");
    }
    done_.get();
  }
  bool completed() override {
    return done_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }

 private:
  std::string what_;
  std::shared_future<void> done_;
  MpiCommunicator* comm_;
};

}  // namespace

MpiCommunicator::MpiCommunicator(MPI_Comm parent, CommunicatorOptions options)
    : Communicator(options) {
  int provided = 0;
  NS_MPI_CHECK(MPI_Query_thread(&provided));
  NS_CHECK_AS(
      CommError, provided >= MPI_THREAD_SERIALIZED,
      "the MPI communicator needs MPI_THREAD_SERIALIZED or better; this MPI provides level ",
      provided);
  NS_MPI_CHECK(MPI_Comm_dup(parent, &comm_));
  NS_MPI_CHECK(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN));
  NS_MPI_CHECK(MPI_Comm_dup(parent, &probe_comm_));
  NS_MPI_CHECK(MPI_Comm_set_errhandler(probe_comm_, MPI_ERRORS_RETURN));
  NS_MPI_CHECK(MPI_Comm_rank(comm_, &rank_));
  NS_MPI_CHECK(MPI_Comm_size(comm_, &size_));
  worker_ = std::thread([queue = queue_, tracer = options_.tracer] {
    if (tracer) tracer->name_thread("communication");
    run(queue);
  });
}

MpiCommunicator::~MpiCommunicator() {
  {
    std::lock_guard<std::mutex> lock(queue_->mutex);
    queue_->stopping = true;
  }
  queue_->wake.notify_all();
  if (broken_) {
    // The thread may sit in a collective the peers never join. It owns its queue (shared),
    // so it may run on safely; the communicators stay allocated for it.
    std::unique_lock<std::mutex> lock(queue_->mutex);
    const bool finished =
        queue_->wake.wait_for(lock, std::chrono::seconds(1), [&] { return queue_->finished; });
    lock.unlock();
    if (!finished) {
      worker_.detach();
      return;
    }
  }
  worker_.join();
  MPI_Comm_free(&probe_comm_);
  MPI_Comm_free(&comm_);
}

std::string MpiCommunicator::unresponsive_ranks(std::chrono::milliseconds window) {
  int provided = 0;
  MPI_Query_thread(&provided);
  if (provided < MPI_THREAD_MULTIPLE || size_ == 1) return "";
  // Heartbeats both ways; receives from ranks that never answer are cancelled.
  static const int kBeat = 1;  // the send buffer must outlive the sends
  std::vector<int> received(size_, 0);
  std::vector<MPI_Request> receives(size_, MPI_REQUEST_NULL);
  for (int r = 0; r < size_; ++r) {
    if (r == rank_) continue;
    MPI_Request send = MPI_REQUEST_NULL;
    MPI_Isend(&kBeat, 1, MPI_INT, r, 0, probe_comm_, &send);
    MPI_Request_free(&send);
    MPI_Irecv(&received[r], 1, MPI_INT, r, 0, probe_comm_, &receives[r]);
  }
  const auto deadline = std::chrono::steady_clock::now() + window;
  std::vector<bool> answered(size_, false);
  answered[rank_] = true;
  while (std::chrono::steady_clock::now() < deadline &&
         std::find(answered.begin(), answered.end(), false) != answered.end()) {
    for (int r = 0; r < size_; ++r) {
      int done = 0;
      if (!answered[r] && MPI_Test(&receives[r], &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && done)
        answered[r] = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::string silent;
  for (int r = 0; r < size_; ++r) {
    if (answered[r]) continue;
    silent += (silent.empty() ? "" : ", ") + std::to_string(r);
    MPI_Cancel(&receives[r]);
    MPI_Request_free(&receives[r]);
  }
  return silent;
}

void MpiCommunicator::run(const std::shared_ptr<Queue>& queue) {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(queue->mutex);
      queue->wake.wait(lock, [&] { return queue->stopping || !queue->jobs.empty(); });
      if (queue->jobs.empty()) {  // stopping, and everything issued has run
        queue->finished = true;
        queue->wake.notify_all();
        return;
      }
      job = std::move(queue->jobs.front());
      queue->jobs.pop_front();
    }
    job();
  }
}

std::shared_ptr<Work> MpiCommunicator::submit(std::string what, const char* kind,
                                              std::function<void()> body) {
  auto promise = std::make_shared<std::promise<void>>();
  std::shared_future<void> done = promise->get_future().share();
  if (options_.tracer) {  // the span covers the MPI call on the communication thread
    body = [body = std::move(body), label = take_trace_label(kind), tracer = options_.tracer] {
      const auto start = Tracer::Clock::now();
      body();
      tracer->record(label.first, "comm", start, Tracer::Clock::now(), label.second);
    };
  }
  {
    std::lock_guard<std::mutex> lock(queue_->mutex);
    queue_->jobs.push_back([promise, body = std::move(body)] {
      try {
        body();
        promise->set_value();
      } catch (...) {
        promise->set_exception(std::current_exception());
      }
    });
  }
  queue_->wake.notify_one();
  return std::make_shared<MpiWork>(std::move(what), std::move(done), this);
}

std::shared_ptr<Work> MpiCommunicator::allreduce(at::Tensor tensor, ReduceOp op) {
  check_cpu(tensor, "allreduce");
  const auto type = mpi_type(tensor, "allreduce");
  const int count = count_of(tensor);
  const int size = size_;
  const MPI_Comm comm = comm_;
  return submit("allreduce of " + std::to_string(count) + " elements", "allreduce", [=]() mutable {
    NS_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, tensor.data_ptr(), count, type, MPI_SUM, comm));
    if (op == ReduceOp::kAvg) tensor.div_(size);
  });
}

std::shared_ptr<Work> MpiCommunicator::reduce_scatter(at::Tensor input, at::Tensor output,
                                                      ReduceOp op) {
  check_cpu(input, "reduce_scatter");
  check_cpu(output, "reduce_scatter");
  NS_CHECK_AS(
      UsageError,
      input.numel() == output.numel() * size_ && input.scalar_type() == output.scalar_type(),
      "reduce_scatter: input must hold size x output elements of the same dtype (", input.numel(),
      " vs ", output.numel(), " x ", size_, ")");
  const auto type = mpi_type(input, "reduce_scatter");
  const int count = count_of(output);
  const int size = size_;
  const MPI_Comm comm = comm_;
  return submit("reduce_scatter of " + std::to_string(input.numel()) + " elements",
                "reduce_scatter", [=]() mutable {
                  NS_MPI_CHECK(MPI_Reduce_scatter_block(input.data_ptr(), output.data_ptr(), count,
                                                        type, MPI_SUM, comm));
                  if (op == ReduceOp::kAvg) output.div_(size);
                });
}

std::shared_ptr<Work> MpiCommunicator::allgather(at::Tensor input, at::Tensor output) {
  check_cpu(input, "allgather");
  check_cpu(output, "allgather");
  NS_CHECK_AS(
      UsageError,
      output.numel() == input.numel() * size_ && input.scalar_type() == output.scalar_type(),
      "allgather: output must hold size x input elements of the same dtype (", output.numel(),
      " vs ", input.numel(), " x ", size_, ")");
  const auto type = mpi_type(input, "allgather");
  const int count = count_of(input);
  const MPI_Comm comm = comm_;
  return submit("allgather of " + std::to_string(count) + " elements", "allgather", [=]() mutable {
    NS_MPI_CHECK(
        MPI_Allgather(input.data_ptr(), count, type, output.data_ptr(), count, type, comm));
  });
}

std::shared_ptr<Work> MpiCommunicator::broadcast(at::Tensor tensor, int root) {
  check_cpu(tensor, "broadcast");
  NS_CHECK_AS(UsageError, root >= 0 && root < size_, "broadcast root ", root, " is not a rank of ",
              size_);
  const auto type = mpi_type(tensor, "broadcast");
  const int count = count_of(tensor);
  const MPI_Comm comm = comm_;
  return submit(
      "broadcast of " + std::to_string(count) + " elements from rank " + std::to_string(root),
      "broadcast",
      [=]() mutable { NS_MPI_CHECK(MPI_Bcast(tensor.data_ptr(), count, type, root, comm)); });
}

void MpiCommunicator::barrier() {
  const MPI_Comm comm = comm_;
  submit("barrier", "barrier", [comm] { NS_MPI_CHECK(MPI_Barrier(comm)); })->wait(options_.timeout);
}

}  // namespace neuroscale::distributed
