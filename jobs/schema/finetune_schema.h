// The config of `neuroscale finetune` (configs/finetune/*.yaml): CTC phoneme fine-tuning of a
// pretrained BIT encoder. Shares the data, train and checkpoint sections with pretraining
// (training_sections.h) and adds the label subset, the pretrained checkpoint, the fine-tuning
// task (model, augment, masking) and the body's learning-rate scale.
#pragma once

#include <string>
#include <vector>

#include "jobs/schema/model_sections.h"
#include "jobs/schema/sentence_schema.h"
#include "jobs/schema/training_sections.h"

namespace neuroscale::jobs {

struct FinetuneConfig {
  std::string objective = "phonemes";  ///< task: phonemes (CTC) | sentence (BIT end-to-end)
  SentenceConfig sentence;             ///< sentence.* (task: sentence)
  distributed::CorpusDataOptions data;
  double label_fraction = 1.0;  ///< data.label_fraction: of each subject's labelled training trials
  std::int64_t label_seed = 0;  ///< data.label_seed: which subset (nested across fractions)
  std::string
      init_checkpoint;  ///< init.checkpoint: pretrained run or checkpoint ("": from scratch)
  std::vector<std::string>
      init_new_read_ins;  ///< init.new_read_ins: subjects whose read-in starts anew regardless
  std::int64_t seed = 0;
  distributed::TrainOptions train;
  distributed::CheckpointPolicy checkpoint;
  task::CtcPhonemeOptions task;
  optim::OptimizerOptions optimizer;
  double body_lr_scale =
      1.0;  ///< optimizer.body_lr_scale: pretrained layers' lr = schedule lr x this
  optim::LrScheduleOptions schedule;
};

void describe(io::ConfigVisitor& v, FinetuneConfig& o);
// Cross-field checks; ConfigError naming `source`.
void validate(const FinetuneConfig& o, const std::string& source);

}  // namespace neuroscale::jobs
