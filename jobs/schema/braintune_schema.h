// The config of `neuroscale braintune` (configs/braintune/*.yaml): multi-participant
// brain-tuning of a wav2vec2/HuBERT model with LoRA and one shared projection head on an
// fMRI corpus (docs/brain-tuning.md). Defaults are the MBT reference's recipe: LoRA rank 8,
// alpha 32, dropout 0.1 on q/k/v/out; AdamW lr 1e-4, weight decay 0.01; 10% linear warmup,
// then linear decay over the run's real optimizer steps; 128 rows per step; 30 epochs.
#pragma once

#include <string>
#include <vector>

#include "core/model/speech_voxel_model.h"
#include "jobs/schema/model_sections.h"
#include "jobs/schema/training_sections.h"

namespace neuroscale::jobs {

struct BraintuneDataConfig {
  std::string corpus;                     ///< fMRI corpus file (required)
  std::vector<std::string> participants;  ///< tuned on, in this order per story (empty: role train)
  std::vector<std::string> train_stories;  ///< empty: the corpus' train split
  std::vector<std::string> val_stories;    ///< empty: the corpus' val split
  std::int64_t max_train_stories = 0;      ///< only the first N training stories (0: all)
  double window_s = 10.0;                  ///< stimulus seconds per response row
  bool shuffle = false;  ///< shuffle stories and rows per epoch (the reference: no)
};

struct BraintuneModelConfig {
  std::string base_weights;  ///< Hugging Face safetensors of the backbone ("": random, for tests)
  model::SpeechVoxelModelOptions
      options;  ///< backbone size, adapters, normalize_audio (voxels: the corpus')

  BraintuneModelConfig();  ///< the base size with the reference's adapters (r 8, alpha 32, dropout
                           ///< 0.1)
};

struct BraintuneConfig {
  BraintuneDataConfig data;
  std::int64_t seed = 122;   ///< the reference's seed
  std::int64_t epochs = 30;  ///< train.epochs: passes over the training rows of every participant
  std::int64_t batch_rows =
      128;  ///< train.batch_rows: response rows per optimizer step (all ranks)
  distributed::TrainOptions train;  ///< max_steps: 0 = epochs x steps per epoch
  distributed::CheckpointPolicy checkpoint;
  BraintuneModelConfig model;
  optim::OptimizerOptions optimizer;
  optim::LrScheduleOptions schedule;
  double warmup_fraction =
      0.1;  ///< schedule.warmup_fraction: of the run's steps (overrides warmup_steps)

  BraintuneConfig();
};

void describe(io::ConfigVisitor& v, BraintuneConfig& o);
// The keys of the model section (what a brain-tuned checkpoint's model identity covers).
void describe(io::ConfigVisitor& v, BraintuneModelConfig& o);
// Cross-field checks; ConfigError naming `source`.
void validate(const BraintuneConfig& o, const std::string& source);

}  // namespace neuroscale::jobs
