// The MPI backend of the communicator for CPU tensors. Collectives run on a dedicated thread
// in issue order (blocking MPI calls on a duplicate of the parent communicator), so they
// progress while the training thread computes; Open MPI makes no progress on non-blocking
// collectives between MPI calls. Needs MPI_THREAD_SERIALIZED or better: while this object
// lives, no other thread may call MPI on its communicator.
//
// Watchdog: a wait() that times out runs a liveness probe on a second duplicate communicator
// (needs MPI_THREAD_MULTIPLE, since the communication thread is still inside the stuck
// collective): every rank whose wait also timed out sends a heartbeat to every other; the
// ranks whose heartbeat does not arrive within a few seconds are named in the CommError as
// the ones that stopped answering (dead, or stuck outside the collective).
#pragma once

#include <mpi.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "distributed/communicator.h"

namespace neuroscale::distributed {

class MpiCommunicator : public Communicator {
 public:
  MpiCommunicator(MPI_Comm parent, CommunicatorOptions options = {});
  ~MpiCommunicator() override;  // finishes queued collectives, then stops the thread

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string backend() const override { return "mpi"; }

  std::shared_ptr<Work> allreduce(at::Tensor tensor, ReduceOp op) override;
  std::shared_ptr<Work> reduce_scatter(at::Tensor input, at::Tensor output, ReduceOp op) override;
  std::shared_ptr<Work> allgather(at::Tensor input, at::Tensor output) override;
  std::shared_ptr<Work> broadcast(at::Tensor tensor, int root) override;
  void barrier() override;

 private:
  struct Queue;
  // Queues `body` for the communication thread; `kind` ("allreduce") names it in the trace
  // unless trace_next() named it.
  std::shared_ptr<Work> submit(std::string what, const char* kind, std::function<void()> body);
  static void run(const std::shared_ptr<Queue>& queue);

 public:
  // The ranks that do not answer a heartbeat within `window` (see above); "" when the probe
  // cannot run (MPI below MPI_THREAD_MULTIPLE).
  std::string unresponsive_ranks(std::chrono::milliseconds window);
  // After a timed-out collective the communication thread may never come back: the
  // destructor then gives it a moment to finish and otherwise leaves it (the process is
  // about to abort) instead of joining it.
  void mark_broken() { broken_ = true; }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  MPI_Comm probe_comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
  // The communication thread's queue. Shared with the thread, so a thread left behind by
  // a broken communicator never touches the destroyed object when its collective ends.
  struct Queue {
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::function<void()>> jobs;
    bool stopping = false;
    bool finished = false;  ///< the thread has left its loop
  };
  std::shared_ptr<Queue> queue_ = std::make_shared<Queue>();
  std::atomic<bool> broken_{false};
  std::thread worker_;
};

}  // namespace neuroscale::distributed
