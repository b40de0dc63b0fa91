// The pretrained BIT encoder that fine-tuning starts from (init.checkpoint), for both tasks:
// CTC phoneme decoding and BIT's end-to-end sentence stage.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/model/bit_encoder.h"
#include "distributed/training_session.h"
#include "jobs/schema/finetune_schema.h"

namespace neuroscale::jobs {

// Copies the encoder of the pretraining checkpoint at `path` (a run directory or checkpoint;
// its newest verified checkpoint) into `encoder`: the shared Transformer, the mask token, and
// the read-ins of the subjects it knows by name. New subjects, and those named in
// `new_read_ins` (init.new_read_ins), keep their fresh read-ins.
// Returns the names of the parameters it set. Throws ConfigError when the encoder's shape
// differs from the checkpoint's, naming the first parameter that differs, or when
// `new_read_ins` names a subject the encoder does not have.
// Names are the model's ("encoder." + the encoder's own).
std::set<std::string> load_pretrained_encoder(model::BitEncoder& encoder, const std::string& path,
                                              const std::vector<std::string>& new_read_ins,
                                              Logger& log);

// The optimisation of a fine-tuning run: the config's optimiser and schedule, with the
// parameters named in `pretrained` (load_pretrained_encoder's) learning at
// optimizer.body_lr_scale times the schedule's rate.
distributed::OptimizationSpec finetune_optimization(const FinetuneConfig& config,
                                                    std::set<std::string> pretrained);

}  // namespace neuroscale::jobs
