// The settings of a training run that every training config shares, defined once: the
// `train:` section (TrainOptions: the loop, the device, the gradient buckets, the ranks'
// threads) and the `checkpoint:` section (CheckpointPolicy). The Trainer, the Checkpointer
// and the TrainingSession read them as they are; the schemas (jobs/schema) bind each field to
// its config key with its check and doc line (docs/configuration.md lists them).
#pragma once

#include <cstdint>
#include <string>

namespace neuroscale::distributed {

struct TrainOptions {
  std::int64_t max_steps = 100;         ///< optimizer steps to run (from step 0)
  int micro_batch = 8;                  ///< trials per micro-batch (the data's)
  int accumulate = 1;                   ///< micro-batches per rank per step
  int log_every = 10;                   ///< steps between metric lines
  int eval_every = 0;                   ///< steps between validations (0: only at the end)
  int eval_steps = 4;                   ///< validation micro-batches per rank
  int verify_every = 0;                 ///< steps between identical-parameter checks (0: off)
  std::string loss_reduction = "mean";  ///< "mean" or "sum" (distributed/trainer.h explains both)
  std::string device = "cpu";           ///< cpu | cuda (one GPU per local rank, NCCL)
  std::string precision = "fp32";  ///< fp32 | bf16 (forward under autocast, float32 master weights)
  double first_bucket_mb = 1.0;  ///< first gradient bucket, MiB (small: communication starts early)
  double bucket_mb = 25.0;       ///< later gradient buckets, MiB
  int threads =
      0;  ///< LibTorch CPU threads per rank (0: from the launcher, see cpu_threads_from_launcher)
  bool shard_optimizer = true;   ///< ZeRO-1: optimiser state partitioned across ranks
  double comm_timeout_s = 1800;  ///< a collective waiting longer declares the job hung
  /// a step whose global gradient norm is not finite skips its update; this many in a row
  /// stop the run with DivergedError (exit 7) naming the step, the loss and the parameters
  /// (0: never stop). Periodic saves are skipped while such a streak lasts, so the last
  /// checkpoint before it stays the resume point.
  int max_nonfinite_steps = 3;
};

struct CheckpointPolicy {
  std::int64_t every_steps = 0;  ///< steps between checkpoints (0: only at the end and on a signal)
  int keep = 3;  ///< newest committed checkpoints kept (>= 1; the resumed one is never deleted)
  std::int64_t milestone_every =
      0;              ///< checkpoints of steps that are multiples of this are kept too (0: none)
  bool async = true;  ///< write in a background thread while training continues
};

}  // namespace neuroscale::distributed
