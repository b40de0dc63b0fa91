// The gradient reducer of data parallelism (the design of PyTorch DDP's Reducer):
// - Parameters are grouped into buckets in the order their gradients are expected to become
//   ready (the caller's order): the first bucket up to `first_bucket_bytes`, the rest up to
//   `bucket_bytes`. Every rank builds the same buckets.
// - Each bucket is one flat buffer, and each parameter's .grad is a view into it, so
//   backward accumulates straight into the buffer and no per-parameter copy or collective
//   exists.
// - A post-hook on each parameter's gradient accumulator counts down its bucket; when a
//   bucket is complete it is all-reduced asynchronously while backward continues. Buckets
//   launch strictly in index order on every rank, so collectives match.
// - finish() launches what is left (buckets holding parameters this rank did not use: their
//   slices hold zeros), waits, and records the time it waited (exposed communication).
//
// Averaging rule: gradients are SUMMED over all ranks; a rank that did not use a parameter
// contributes zeros. The averaging lives in the loss scale, not in a pass over the buffers
// (as Horovod's pre-divide factor): the trainer scales each rank's loss by
// 1 / (global element count), so the sum equals the gradient of the global mean loss, exactly
// what one process computes on the whole global batch, and equals DDP's average over ranks of
// world_size / count-scaled gradients. A parameter that no rank used in a step
// (another subject's layers) gets no gradient at all (.grad undefined, as in a single
// process), so the optimiser leaves it and its state untouched.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "distributed/communicator.h"

namespace neuroscale::distributed {

struct ReducerOptions {
  std::int64_t first_bucket_bytes = 1 << 20;  ///< small first bucket: communication starts early
  std::int64_t bucket_bytes = 25 << 20;       ///< later buckets
  /// names each bucket's all-reduce in the communicator's trace ("allreduce bucket 3");
  /// not owned (null: tracing off)
  Tracer* tracer = nullptr;
};

class Reducer {
 public:
  // `names`/`params` in expected ready order (roughly reverse of the forward pass). All must
  // require grad and share dtype and device. The communicator must outlive the reducer.
  Reducer(std::vector<std::string> names, std::vector<at::Tensor> params, Communicator& comm,
          ReducerOptions options = {});
  ~Reducer();  // waits for in-flight buckets and removes its hooks from the accumulators
  Reducer(const Reducer&) = delete;
  Reducer& operator=(const Reducer&) = delete;

  // Make every rank's parameters rank 0's (collective; call once before training).
  void broadcast_parameters();

  // Before the backward of a micro-batch: `last` = the step's last micro-batch, whose
  // backward launches the all-reduces; earlier ones only accumulate locally. A rank with no
  // micro-batch calls prepare_for_backward(true) and finish() all the same.
  void prepare_for_backward(bool last);
  // After the last backward: launch the remaining buckets, wait for all, and drop the
  // gradients of parameters no rank used. Returns seconds spent waiting.
  double finish();
  // Zero every bucket and re-attach gradient views (call before a step's first backward).
  void zero_grad();

  // Collective check that every rank holds bitwise identical parameters. Throws CommError
  // naming the first parameter that differs and the ranks involved.
  void verify_parameters_identical();

  std::size_t bucket_count() const { return buckets_.size(); }
  // Parameter indices of bucket b, in bucket order (for tests and docs).
  std::vector<std::size_t> bucket_members(std::size_t b) const;

  struct Hook;  // the accumulator post-hook (defined in reducer.cpp)

 private:
  struct Bucket {
    at::Tensor buffer;                  // flat gradients
    std::vector<std::size_t> members;   // parameter indices
    std::vector<std::int64_t> offsets;  // element offset of each member in `buffer`
    std::size_t pending = 0;            // members not yet ready this backward
    std::shared_ptr<Work> work;
  };
  void mark_ready(std::size_t param);
  void launch_ready_in_order();
  void launch(std::size_t bucket);

  std::vector<std::string> names_;
  std::vector<at::Tensor> params_;
  Communicator& comm_;
  std::vector<Bucket> buckets_;
  std::vector<std::size_t> bucket_of_, slot_of_;
  std::vector<std::uint8_t> used_;  // this backward: did the parameter get a gradient
  // One per hooked gradient accumulator: removes our hook, and keeps the accumulator alive
  // until then (LibTorch holds accumulators by shared_ptr before 2.10, intrusive_ptr since).
  std::vector<std::function<void()>> unhook_;
  std::size_t next_launch_ = 0;
  bool armed_ = false;
  Tracer* tracer_ = nullptr;
};

}  // namespace neuroscale::distributed
