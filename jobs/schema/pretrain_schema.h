// The config of `neuroscale pretrain` (configs/pretrain/*.yaml): data, seed, train,
// checkpoint, the masked-modelling task sections, optimizer and schedule.
#pragma once

#include <cstdint>
#include <string>

#include "jobs/schema/model_sections.h"
#include "jobs/schema/training_sections.h"

namespace neuroscale::jobs {

struct PretrainConfig {
  distributed::CorpusDataOptions data;
  double fraction = 1.0;           ///< data.fraction: of each subject's training trials (hours)
  std::int64_t fraction_seed = 0;  ///< data.fraction_seed: which subset (nested across fractions)
  std::int64_t seed = 0;           ///< initialisation, dropout, shuffling and masking
  distributed::TrainOptions train;
  distributed::CheckpointPolicy checkpoint;
  task::MaskedModelingOptions task;
  optim::OptimizerOptions optimizer;
  optim::LrScheduleOptions schedule;
};

void describe(io::ConfigVisitor& v, PretrainConfig& o);
// Cross-field checks; ConfigError naming `source`.
void validate(const PretrainConfig& o, const std::string& source);

}  // namespace neuroscale::jobs
