// Config schemas of the core options used by training jobs: the masked-modelling task (model,
// augmentations, masking, loss), the optimiser and the learning-rate schedule. Core options
// stay free of YAML; these describe() functions bind them to keys (see config_visitor.h).
// Subjects are not configured here: they come from the corpus' subject table.
#pragma once

#include "core/optim/lr_schedule.h"
#include "core/optim/optimizer.h"
#include "core/task/ctc_phoneme.h"
#include "core/task/masked_modeling.h"
#include "io/config/config_visitor.h"

namespace neuroscale::io {

void describe(ConfigVisitor& v, model::TransformerOptions& o);
// model: the encoder's keys (patch_size, embedding_dropout) and the transformer's, flat.
void describe(ConfigVisitor& v, model::MaskedModelOptions& o);
// model: the same encoder keys, without read-outs (the CTC head is fixed at 41 classes).
void describe(ConfigVisitor& v, model::CtcModelOptions& o);
void describe(ConfigVisitor& v, model::AugmentOptions& o);
void describe(ConfigVisitor& v, task::SpanMaskOptions& o);
// Sections model, augment, masking and the keys loss, poisson_log_input (the masking seed
// is the job's top-level `seed`).
void describe(ConfigVisitor& v, task::MaskedModelingOptions& o);
// Sections model, augment and masking (time masking while fine-tuning).
void describe(ConfigVisitor& v, task::CtcPhonemeOptions& o);
void describe(ConfigVisitor& v, optim::OptimizerOptions& o);
// total_steps is not a key: the trainer sets it from the run length.
void describe(ConfigVisitor& v, optim::LrScheduleOptions& o);

// Cross-field checks (heads divide hidden into even head widths); ConfigError naming `source`.
void validate(const task::MaskedModelingOptions& o, const std::string& source);
void validate(const model::BitEncoderOptions& o, const std::string& source);

}  // namespace neuroscale::io
