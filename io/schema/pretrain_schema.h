// The config of `neuroscale pretrain` (configs/pretrain/*.yaml): data, seed, train, the
// masked-modelling task sections, optimizer and schedule. The data, train and checkpoint
// sections are shared with `neuroscale finetune` (finetune_schema.h).
#pragma once

#include <string>
#include <vector>

#include "io/schema/training_schema.h"

namespace neuroscale::io {

struct DataConfig {
  std::string corpus;             ///< corpus file (required)
  std::vector<std::string> subjects;  ///< train and validate on these subjects only (empty: all)
  bool normalize = true;          ///< apply stored statistics when the corpus holds raw features
  int prefetch = 4;               ///< batches in flight per loader
  int loader_threads = 2;         ///< threads of each loader's pipeline
  int bucket_batches = 16;        ///< length bucketing pool, in batches (1: off)
};

struct TrainConfig {
  std::int64_t max_steps = 100;   ///< optimizer steps
  int micro_batch = 8;            ///< trials per micro-batch
  int accumulate = 1;             ///< micro-batches per rank per step
  int log_every = 10;             ///< steps between metric lines
  int eval_every = 0;             ///< steps between validations (0: at the end)
  int eval_steps = 4;             ///< validation micro-batches per rank
  int verify_every = 0;           ///< steps between identical-parameter checks (0: off)
  std::string loss_reduction = "mean";  ///< mean | sum
  std::string device = "cpu";     ///< cpu | cuda
  std::string precision = "fp32"; ///< fp32 | bf16 (autocast, float32 master weights)
  double first_bucket_mb = 1.0;   ///< first gradient bucket
  double bucket_mb = 25.0;        ///< later gradient buckets
  int threads = 0;                ///< LibTorch CPU threads per rank (0: from the launcher, see cpu_threads_from_launcher)
  bool shard_optimizer = true;    ///< ZeRO-1: optimiser state partitioned across ranks
  double comm_timeout_s = 1800;   ///< a collective waiting longer declares the job hung
  int max_nonfinite_steps = 3;    ///< consecutive non-finite steps that stop the run (exit 7; 0: never)
};

struct CheckpointConfig {
  std::int64_t every_steps = 0;   ///< steps between checkpoints (0: only at the end and on a signal)
  int keep = 3;                   ///< committed checkpoints kept
  std::int64_t milestone_every = 0; ///< also keep checkpoints at multiples of this step (0: none)
  bool async = true;              ///< write in the background while training continues
};

struct PretrainConfig {
  DataConfig data;
  std::int64_t seed = 0;          ///< initialisation, dropout, shuffling and masking
  TrainConfig train;
  CheckpointConfig checkpoint;
  task::MaskedModelingOptions task;
  optim::OptimizerOptions optimizer;
  optim::LrScheduleOptions schedule;
};

// The keys of each section (inside v.section(...)), shared with the fine-tuning schema.
void describe(ConfigVisitor& v, DataConfig& o);
void describe(ConfigVisitor& v, TrainConfig& o);
// Every train key but max_steps and micro_batch (for jobs that size their steps otherwise).
void describe_engine(ConfigVisitor& v, TrainConfig& o);
void describe(ConfigVisitor& v, CheckpointConfig& o);
void describe(ConfigVisitor& v, PretrainConfig& o);
// Cross-field checks; ConfigError naming `source`.
void validate(const PretrainConfig& o, const std::string& source);

}  // namespace neuroscale::io
