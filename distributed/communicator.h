// The collective-communication contract every data-parallel piece uses: allreduce,
// reduce-scatter, allgather, broadcast and barrier over one group of ranks, each returning
// an asynchronous handle. Backends: mpi/ (CPU tensors, a dedicated communication thread so
// collectives progress while the caller computes) and nccl/ (CUDA tensors, its own stream).
//
// Ordering: every rank must issue the same collectives in the same order; handles complete
// in issue order. Tensors must be contiguous and stay alive and untouched until wait()
// returns. Methods are called from one thread (the training thread).
#pragma once

#include <ATen/ATen.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "core/trace.h"

namespace neuroscale::distributed {

class MpiContext;

enum class ReduceOp { kSum, kAvg };

// An in-flight collective.
class Work {
 public:
  virtual ~Work() = default;
  // Blocks until the collective finished (CPU) or is ordered before later work on the
  // caller's stream (GPU). Rethrows its error. Throws CommError naming the collective when
  // `timeout` passes first: a rank that died must not leave the others waiting forever.
  virtual void wait(std::chrono::milliseconds timeout) = 0;
  // True once wait() would return without blocking.
  virtual bool completed() = 0;
};

struct CommunicatorOptions {
  /// how long wait() blocks before declaring the job hung
  std::chrono::milliseconds timeout = std::chrono::minutes(30);
  /// when set, every collective is a span on the thread that runs it (MPI: the
  /// communication thread; NCCL: not traced, its work is on the GPU), named by trace_next()
  /// or by its kind. Shared: a communication thread left behind by a broken communicator may
  /// still record (null: no tracing)
  std::shared_ptr<Tracer> tracer;
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual std::string backend() const = 0;  // "mpi" or "nccl"
  const CommunicatorOptions& options() const { return options_; }

  // In place over every rank.
  virtual std::shared_ptr<Work> allreduce(at::Tensor tensor, ReduceOp op) = 0;
  // input [size * n] -> output [n]: rank r receives the reduced r-th block.
  virtual std::shared_ptr<Work> reduce_scatter(at::Tensor input, at::Tensor output,
                                               ReduceOp op) = 0;
  // input [n] -> output [size * n], blocks in rank order.
  virtual std::shared_ptr<Work> allgather(at::Tensor input, at::Tensor output) = 0;
  // In place from `root`.
  virtual std::shared_ptr<Work> broadcast(at::Tensor tensor, int root) = 0;
  // Blocking barrier (under the timeout).
  virtual void barrier() = 0;

  // Names the next collective this rank issues in the trace ("allreduce bucket 3") with
  // JSON `args` members ("\"bucket\": 3"); without a name a collective is traced as its kind.
  // No effect without options().tracer.
  void trace_next(std::string name, std::string args = {}) {
    if (!options_.tracer) return;
    trace_name_ = std::move(name);
    trace_args_ = std::move(args);
  }

 protected:
  explicit Communicator(CommunicatorOptions options) : options_(options) {}
  // What the collective being issued is called in the trace: trace_next()'s name and args,
  // else `kind`; clears them.
  std::pair<std::string, std::string> take_trace_label(const char* kind) {
    std::pair<std::string, std::string> label{trace_name_.empty() ? kind : std::move(trace_name_),
                                              std::move(trace_args_)};
    trace_name_.clear();
    trace_args_.clear();
    return label;
  }
  CommunicatorOptions options_;

 private:
  std::string trace_name_, trace_args_;
};

// The backend for tensors on `device`: NCCL for CUDA devices (when compiled), MPI for the
// CPU. Collective over the context's world. Throws CommError when the device needs a
// backend this build lacks.
std::unique_ptr<Communicator> make_communicator(MpiContext& mpi, const at::Device& device,
                                                CommunicatorOptions options = {});

}  // namespace neuroscale::distributed
