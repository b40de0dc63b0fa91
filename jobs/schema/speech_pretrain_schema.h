// The config of `neuroscale speech pretrain` (configs/speech/*.yaml): HuBERT's masked
// prediction of frame labels with a wav2vec2/HuBERT backbone trained from scratch on a speech
// corpus, on the data-parallel engine (docs/speech-pretraining.md).
#pragma once

#include <string>

#include "core/model/hubert.h"
#include "core/optim/lr_schedule.h"
#include "core/optim/optimizer.h"
#include "core/task/hubert_task.h"
#include "distributed/speech_data.h"
#include "distributed/training_options.h"
#include "io/config/config_visitor.h"

namespace neuroscale::jobs {

struct SpeechPretrainData {
  std::string corpus;  ///< speech corpus (neuroscale synth --kind speech)
  std::string labels;  ///< its frame labels (neuroscale speech labels)
  distributed::SpeechDataOptions options;
};

struct SpeechPretrainConfig {
  SpeechPretrainData data;
  std::int64_t seed = 0;
  distributed::TrainOptions train;
  distributed::CheckpointPolicy checkpoint;
  model::HubertOptions model;  ///< clusters: from the labels file
  task::HubertMaskOptions masking;
  optim::OptimizerOptions optimizer;
  optim::LrScheduleOptions schedule;

  SpeechPretrainConfig();
};

void describe(io::ConfigVisitor& v, SpeechPretrainConfig& o);
// The model keys (what a checkpoint's model identity covers).
void describe(io::ConfigVisitor& v, model::HubertOptions& o);
// Cross-field checks; ConfigError naming `source`.
void validate(const SpeechPretrainConfig& o, const std::string& source);

}  // namespace neuroscale::jobs
