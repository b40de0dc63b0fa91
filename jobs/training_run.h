// What the training commands (`pretrain`, `finetune`, `braintune`) share once their config
// is read: the run directory, threads, device and communicator; the training data (a neural
// corpus with its train and val samplers, or a command's own TrainingData); the ZeRO-1
// partition and the optimiser; checkpoints, resume and the save-and-stop on a signal; the
// loop that logs metrics.jsonl and TensorBoard events (rank 0), and with --trace each
// rank's timeline (docs/run-directory.md). A command opens a TrainingRun, builds its task on index()
// (or its own data) and device(), then calls train().
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/optim/lr_schedule.h"
#include "core/model/bit_encoder.h"
#include "core/optim/optimizer.h"
#include "core/task/task.h"
#include "distributed/communicator.h"
#include "distributed/resumable_source.h"
#include "io/checkpoint/model_identity.h"
#include "io/corpus/corpus_reader.h"
#include "io/data/sampler.h"
#include "io/schema/pretrain_schema.h"
#include "jobs/runtime.h"

namespace neuroscale::jobs {

// Where a run's micro-batches come from. Both calls give every rank its own share of one
// global batch order that depends only on the seed (never on the number of ranks).
class TrainingData {
 public:
  virtual ~TrainingData() = default;
  // This rank's training micro-batches from global position `start` (a resume's), with
  // `accumulate` slots per step.
  virtual std::unique_ptr<distributed::ResumableSource> train(io::SamplerPosition start, int rank, int world_size,
                                                              int accumulate) = 0;
  // Fresh passes over the validation data (an empty function: no validation).
  virtual distributed::ValidationSource validation(int rank, int world_size) = 0;
};

struct TrainingSpec {
  std::string activity = "training";  ///< "pretraining", "fine-tuning": log lines and errors
  std::string run_dir;                 ///< --run-dir ("" : no checkpoints, no metrics file)
  std::string resume = "auto";         ///< --resume auto|none|DIR
  bool trace = false;                  ///< --trace: RUN_DIR/traces/rank-NNNNN.json
  std::string resolved_config;         ///< config.yaml of the run directory
  io::DataConfig data;                 ///< a neural corpus (data.corpus "" : the command brings its own data)
  io::TrainConfig train;
  io::CheckpointConfig checkpoint;
  std::int64_t seed = 0;
  std::int64_t patch_size = 1;         ///< the loader pads trials to a multiple of this
  // Which trials: labelled only, and a fraction of each subject's (see io::SamplerOptions).
  bool labeled_only = false;
  double fraction = 1.0;
  std::uint64_t fraction_seed = 0;
};

// The spec of a training command's config (any with data, train, checkpoint and seed), run
// directory and resume choice.
template <class Config>
TrainingSpec training_spec(const std::string& activity, const ConfigCommandLine& line, const io::Describer& describe,
                           const Config& config, std::int64_t patch_size) {
  TrainingSpec spec;
  spec.activity = activity;
  spec.run_dir = line.run_dir;
  spec.resume = line.resume;
  spec.trace = line.trace;
  spec.resolved_config = io::to_yaml(describe);
  spec.data = config.data;
  spec.train = config.train;
  spec.checkpoint = config.checkpoint;
  spec.seed = config.seed;
  spec.patch_size = patch_size;
  return spec;
}

// How train() builds the optimiser and names the model in checkpoints.
struct OptimizationSpec {
  optim::OptimizerOptions optimizer;
  optim::LrScheduleOptions schedule;   ///< total_steps is set from train.max_steps
  std::function<double(const std::string&)> lr_scale;  ///< per parameter (empty: 1)
  io::ModelIdentity model_identity;    ///< recorded in checkpoints: a resume must match it
  std::string base_weights;            ///< frozen weights the checkpoints refer to (io::Manifest)
  double flops_per_bin = 0.0;          ///< training FLOPs per 20 ms bin, for flops_per_s
};

class TrainingRun {
 public:
  // Opens the run directory, sets threads, picks the device and makes the communicator;
  // with data.corpus set, reads the corpus index and builds the samplers. Throws
  // ConfigError for unknown subjects or a split without trials.
  TrainingRun(Runtime& runtime, TrainingSpec spec);
  ~TrainingRun();

  // The neural corpus' index (only with data.corpus set).
  const io::CorpusIndex& index() const;
  const at::Device& device() const { return device_; }
  int rank() const;
  int world_size() const;
  Logger& log() { return runtime_.logger(); }

  // Trains `task` (its module on device(), initialised identically on every rank) to
  // train.max_steps, resuming first (--resume), saving every checkpoint.every_steps, at the
  // end and on a signal. Returns normally when finished; throws CheckpointedStop (exit 75)
  // after a signal once the checkpoint is committed, CheckpointError when the last save
  // failed. The RNG is re-seeded per rank before the first step (dropout streams differ).
  // Batches come from `data`, or from the corpus of data.corpus when null. Checkpoints hold
  // the parameters that require grad (frozen ones are rebuilt by the command) and the
  // optimiser state.
  void train(task::Task& task, const OptimizationSpec& spec, TrainingData* data = nullptr);

 private:
  Runtime& runtime_;
  TrainingSpec spec_;
  at::Device device_{at::kCPU};
  std::shared_ptr<Tracer> tracer_;  ///< --trace (null: off); declared before comm_, which records into it
  std::unique_ptr<distributed::Communicator> comm_;
  std::unique_ptr<io::CorpusReader> reader_;   ///< with data.corpus
  std::unique_ptr<TrainingData> corpus_data_;  ///< batches of data.corpus
};

// Training FLOPs per 20 ms bin: 6 x parameters used per token / bins per token, the standard
// 6N estimate (forward 2N, backward 4N), counting the shared parameters and
// `subject_layers` d x (P*C) layers of the first subject (its read-in, and a read-out when
// the task has one); attention's N^2 term is left out (small at N ~ 100 tokens).
double training_flops_per_bin(const torch::nn::Module& module, const task::Task& task,
                              const model::BitEncoderOptions& encoder, int subject_layers);

// What a checkpoint's config hash covers (io/checkpoint/model_identity.h): the task kind
// ("" for pretraining), the subject table (names and channels) and the model's resolved
// config. A resume, a fine-tuning or an evaluation refuses a checkpoint whose hash differs.
io::ModelIdentity model_identity(const std::string& kind, const std::vector<model::SubjectSpec>& subjects,
                                 const std::string& model_yaml);

// The model's subject table: the corpus' subjects (name, channels) in corpus order.
std::vector<model::SubjectSpec> subject_specs(const io::CorpusIndex& index);

// The indices of the subjects named by `names` (empty: all). Throws ConfigError naming the
// unknown subject, the corpus and the subjects it has.
std::vector<std::int32_t> subject_indices(const io::CorpusIndex& index, const std::vector<std::string>& names,
                                          const std::string& corpus);

}  // namespace neuroscale::jobs
