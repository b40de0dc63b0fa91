// The training loop of every job: micro-batches from a BatchSource, a Task's loss, the
// gradient Reducer across ranks, clipping, the optimiser and the learning-rate schedule,
// periodic validation and metrics. Every collective is issued in the same order on all
// ranks, and all ranks agree on when to stop: each step begins with one small all-reduce of
// the step's element count and ends with one of a stop flag (set by SIGINT, SIGTERM or
// SIGUSR1 on any rank); a stopping run saves a checkpoint of the completed steps first.
//
// Loss scaling (`loss_reduction`): the reducer sums gradients over ranks, so the averaging is
// in the loss scale. "mean" scales each rank's summed loss by 1 / global element count, so
// the reduced gradient is that of the mean over the whole global batch, whatever the split
// across ranks and micro-batches; "sum" back-propagates the summed loss as the BIT reference
// does, scaled by 1 / world_size (the sum averaged over ranks, as DDP would give).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/batch.h"
#include "core/log.h"
#include "core/optim/lr_schedule.h"
#include "core/optim/optimizer.h"
#include "core/task/task.h"
#include "distributed/batch_source.h"
#include "distributed/communicator.h"
#include "distributed/reducer.h"
#include "distributed/training_options.h"
#include "distributed/zero.h"

namespace neuroscale::distributed {

struct TrainerOptions {
  TrainOptions train;  ///< the config's train: section (steps, accumulation, buckets, precision)
  double grad_clip = 1.0;       ///< global-norm clipping (0: off)
  double flops_per_bin = 0.0;   ///< training FLOPs per 20 ms bin, for the FLOP/s metric
  double bins_per_token = 1.0;  ///< patch length P, for the tokens/s metric
  /// spans of each step's phases on the training thread (data_wait, forward, backward,
  /// allreduce_wait, optimizer, checkpoint, validation, ...; see docs/run-directory.md); not
  /// owned (null: tracing off)
  Tracer* tracer = nullptr;
  /// ZeRO-1: the optimiser holds only this rank's parameters of the partition, and after
  /// every update each parameter is broadcast from its owner (null: replicated optimiser)
  ParameterPartition* partition = nullptr;
  /// called with the number of completed steps every `save_every` steps, after the last
  /// step, and when a signal stops the run (empty: no checkpoints)
  std::function<void(std::int64_t completed_steps)> save;
  std::int64_t save_every = 0;  ///< steps between saves (0: only at the end and on a signal)
  /// called at every step boundary before any save (e.g. to commit a background save)
  std::function<void(std::int64_t completed_steps)> after_step;
  /// called before every optimiser update, which changes parameters and optimiser state
  /// (e.g. to wait for a background checkpoint's snapshot); returns seconds it blocked
  std::function<double()> before_update;
};

// One line of metrics; `values` holds loss, lr, grad_norm (over the window's updated steps),
// skipped_steps (steps whose update was skipped for a non-finite gradient norm), samples_per_s,
// bins_per_s, tokens_per_s, flops_per_s, data_wait_s, comm_exposed_s, checkpoint_s (time the step
// loop spent in saves), step_s and the task's metrics (val_* after validation).
struct MetricsRecord {
  std::int64_t step = 0;
  std::map<std::string, double> values;
};
using MetricsSink = std::function<void(const MetricsRecord&)>;

class Trainer {
 public:
  Trainer(task::Task& task, optim::Optimizer& optimizer, const optim::LrSchedule& schedule,
          Communicator& comm, TrainerOptions options, Logger& log);

  // Broadcasts rank 0's parameters, then trains from `start_step` to max_steps. `sink` gets
  // every record on rank 0. Returns the step reached (< max_steps when stopped by a signal).
  // Throws DivergedError on every rank after max_nonfinite_steps consecutive non-finite steps.
  std::int64_t run(BatchSource& train, const ValidationSource& validation, std::int64_t start_step,
                   const MetricsSink& sink);

  Reducer& reducer() { return *reducer_; }

 private:
  std::map<std::string, double> validate(const ValidationSource& validation, std::int64_t step);
  // Sums `values` over the ranks (blocking); `what` names the wait in the trace.
  at::Tensor allreduce_sum(const std::vector<double>& values, const char* what);

  task::Task& task_;
  optim::Optimizer& optimizer_;
  const optim::LrSchedule& schedule_;
  Communicator& comm_;
  TrainerOptions options_;
  Logger& log_;
  std::unique_ptr<Reducer> reducer_;
  std::vector<at::Tensor> params_;
  std::vector<std::string> param_names_;  ///< names of params_, in the same order
};

}  // namespace neuroscale::distributed
