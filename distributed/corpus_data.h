// The training data of a neural corpus (pretraining, fine-tuning): the `data:` section that
// names the corpus and sets up its loaders (CorpusDataOptions), the TrainingData that reads
// the global sampler as P*A virtual ranks (one LoaderSource slot per accumulation step), and
// what a job derives from the corpus' subject table: the model's subjects, the subjects a
// config selects, and the model identity a checkpoint records.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/model/bit_encoder.h"
#include "distributed/batch_source.h"
#include "io/checkpoint/model_identity.h"
#include "io/corpus/corpus_index.h"
#include "io/data/loader.h"
#include "io/data/sampler.h"

namespace neuroscale::distributed {

struct CorpusDataOptions {
  std::string corpus;                 ///< corpus file (required)
  std::vector<std::string> subjects;  ///< train and validate on these subjects only (empty: all)
  std::vector<std::string> tasks;     ///< and on sessions of these tasks only (empty: all)
  bool normalize = true;    ///< apply stored statistics when the corpus holds raw features
  int prefetch = 4;         ///< batches in flight per loader
  int loader_threads = 2;   ///< threads of each loader's pipeline
  int bucket_batches = 16;  ///< length bucketing pool, in batches (1: off)
};

class CorpusTrainingData : public TrainingData {
 public:
  // Samples the train split with `sampler` (seed, trials per micro-batch, labelled-only and
  // fraction: the job's; subjects and bucketing: `data`'s) and the val split with the same
  // options over every trial; a corpus without val trials is only a warning (no
  // validation). Loaders pad trials to a multiple of `patch_size`. `index` must outlive this.
  // Throws ConfigError for an unknown subject or a train split without trials.
  CorpusTrainingData(const io::CorpusIndex& index, CorpusDataOptions data,
                     io::SamplerOptions sampler, std::int64_t patch_size, Logger& log);

  std::unique_ptr<ResumableSource> train(io::SamplerPosition start, int rank, int world_size,
                                         int accumulate) override;
  ValidationSource validation(int rank, int world_size) override;

 private:
  CorpusDataOptions data_;
  io::LoaderOptions loader_options_;
  std::unique_ptr<io::GlobalSampler> train_sampler_, val_sampler_;
};

// The model's subject table: the corpus' subjects (name, channels) in corpus order.
std::vector<model::SubjectSpec> subject_specs(const io::CorpusIndex& index);

// `names` checked against the session tasks of the corpus (each must occur); returned as
// they are. Throws ConfigError naming the unknown task, the corpus and the tasks it has.
std::vector<std::string> checked_tasks(const io::CorpusIndex& index,
                                       const std::vector<std::string>& names,
                                       const std::string& corpus);

// The indices of the subjects named by `names` (empty: all). Throws ConfigError naming the
// unknown subject, the corpus and the subjects it has.
std::vector<std::int32_t> subject_indices(const io::CorpusIndex& index,
                                          const std::vector<std::string>& names,
                                          const std::string& corpus);

// What a neural model's checkpoints record as its identity (io/checkpoint/model_identity.h):
// the task kind ("" for pretraining), the subject table (names and channels) and the
// model's resolved config. A resume, a fine-tuning or an evaluation refuses a checkpoint
// whose identity differs.
io::ModelIdentity neural_model_identity(const std::string& kind,
                                        const std::vector<model::SubjectSpec>& subjects,
                                        const std::string& model_yaml);

}  // namespace neuroscale::distributed
