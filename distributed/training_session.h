// Everything a training job needs around the Trainer, shared by `pretrain`, `finetune` and
// `braintune`: threads, device and communicator; the training data (a neural corpus with its
// train and val samplers, or a job's own TrainingData); the ZeRO-1 partition and the
// optimiser; checkpoints (their tensor names, the RNG state, resume and the metric history
// they carry), the save-and-stop on a signal; the loop that logs metrics.jsonl and
// TensorBoard events (rank 0) and, with `trace`, each rank's timeline (docs/run-directory.md).
// A job opens its run directory, opens a TrainingSession, builds its task on index() (or its
// own data) and device(), then calls train().
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/log.h"
#include "core/model/bit_encoder.h"
#include "core/optim/lr_schedule.h"
#include "core/optim/optimizer.h"
#include "core/task/task.h"
#include "core/trace.h"
#include "distributed/batch_source.h"
#include "distributed/communicator.h"
#include "distributed/corpus_data.h"
#include "distributed/mpi/mpi_context.h"
#include "distributed/training_options.h"
#include "io/checkpoint/model_identity.h"
#include "io/corpus/corpus_reader.h"

namespace neuroscale::distributed {

struct TrainingSpec {
  std::string activity = "training";  ///< "pretraining", "fine-tuning": log lines and errors
  std::string run_dir;          ///< an open run directory ("" : no checkpoints, no metrics file)
  std::string resume = "auto";  ///< auto | none | a checkpoint or run directory
  bool trace = false;           ///< RUN_DIR/traces/rank-NNNNN.json
  std::string code_version;     ///< recorded in checkpoint manifests
  /// called on every rank once the run directory's checkpoints are known to fit this run
  /// (after the resume choice): writes the run's config.yaml and environment (empty: none)
  std::function<void()> record_run;
  CorpusDataOptions data;  ///< a neural corpus (data.corpus "" : the job brings its own data)
  TrainOptions train;
  CheckpointPolicy checkpoint;
  std::int64_t seed = 0;
  std::int64_t patch_size = 1;  ///< the loader pads trials to a multiple of this
  // Which trials of the corpus: labelled only, and a fraction of each subject's (see
  // io::SamplerOptions).
  bool labeled_only = false;
  double fraction = 1.0;
  std::uint64_t fraction_seed = 0;
};

// How train() builds the optimiser and names the model in checkpoints.
struct OptimizationSpec {
  optim::OptimizerOptions optimizer;
  optim::LrScheduleOptions schedule;                   ///< total_steps is set from train.max_steps
  std::function<double(const std::string&)> lr_scale;  ///< per parameter (empty: 1)
  io::ModelIdentity model_identity;  ///< recorded in checkpoints: a resume must match it
  std::string base_weights;          ///< frozen weights the checkpoints refer to (io::Manifest)
  double flops_per_bin = 0.0;        ///< training FLOPs per 20 ms bin, for flops_per_s
};

class TrainingSession {
 public:
  // Sets threads, picks the device and makes the communicator; with data.corpus set, reads
  // the corpus index and builds the samplers. Throws ConfigError for unknown subjects or a
  // split without trials, UsageError for `trace` without a run directory.
  TrainingSession(MpiContext& mpi, Logger& log, TrainingSpec spec);
  ~TrainingSession();

  // The neural corpus' index (only with data.corpus set).
  const io::CorpusIndex& index() const;
  const at::Device& device() const { return device_; }
  int rank() const { return mpi_.rank(); }
  int world_size() const { return mpi_.size(); }
  Logger& log() { return log_; }

  // Trains `task` (its module on device(), initialised identically on every rank) to
  // train.max_steps, resuming first (`resume`), saving every checkpoint.every_steps, at the
  // end and on a signal. Returns normally when finished; throws CheckpointedStop (exit 75)
  // after a signal once the checkpoint is committed, CheckpointError when the last save
  // failed. The RNG is re-seeded per rank before the first step (dropout streams differ).
  // Batches come from `data`, or from the corpus of data.corpus when null. Checkpoints hold
  // the parameters that require grad (frozen ones are rebuilt by the job) and the optimiser
  // state.
  void train(task::Task& task, const OptimizationSpec& spec, TrainingData* data = nullptr);

 private:
  MpiContext& mpi_;
  Logger& log_;
  TrainingSpec spec_;
  at::Device device_{at::kCPU};
  std::shared_ptr<Tracer>
      tracer_;  ///< `trace` (null: off); declared before comm_, which records into it
  std::unique_ptr<Communicator> comm_;
  std::unique_ptr<io::CorpusReader> reader_;   ///< with data.corpus
  std::unique_ptr<TrainingData> corpus_data_;  ///< batches of data.corpus
};

// Training FLOPs per 20 ms bin: 6 x parameters used per token / bins per token, the standard
// 6N estimate (forward 2N, backward 4N), counting the shared parameters and
// `subject_layers` d x (P*C) layers of the first subject (its read-in, and a read-out when
// the task has one); attention's N^2 term is left out (small at N ~ 100 tokens).
double training_flops_per_bin(const torch::nn::Module& module, const task::Task& task,
                              const model::BitEncoderOptions& encoder, int subject_layers);

}  // namespace neuroscale::distributed
