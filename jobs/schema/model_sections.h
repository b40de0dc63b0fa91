// The model sections of the training configs, binding core options to keys: the
// masked-modelling and CTC tasks (model, augmentations, masking, loss), the optimiser and the
// learning-rate schedule. Core options stay free of YAML (see io/config/config_visitor.h).
// Subjects are not configured here: they come from the corpus' subject table.
#pragma once

#include "core/model/wav2vec2_options.h"
#include "core/optim/lr_schedule.h"
#include "core/optim/optimizer.h"
#include "core/task/ctc_phoneme.h"
#include "core/task/masked_modeling.h"
#include "io/config/config_visitor.h"

namespace neuroscale::jobs {

void describe(io::ConfigVisitor& v, model::TransformerOptions& o);
// model: the encoder's keys (patch_size, embedding_dropout) and the transformer's, flat.
void describe(io::ConfigVisitor& v, model::MaskedModelOptions& o);
// model: the same encoder keys, without read-outs (the CTC head is fixed at 41 classes).
void describe(io::ConfigVisitor& v, model::CtcModelOptions& o);
void describe(io::ConfigVisitor& v, model::AugmentOptions& o);
void describe(io::ConfigVisitor& v, task::SpanMaskOptions& o);
// Sections model, augment, masking and the keys loss, poisson_log_input (the masking seed
// is the job's top-level `seed`).
void describe(io::ConfigVisitor& v, task::MaskedModelingOptions& o);
// Sections model, augment and masking (time masking while fine-tuning).
void describe(io::ConfigVisitor& v, task::CtcPhonemeOptions& o);
// The wav2vec2/HuBERT backbone's size keys (conv_dim, hidden, layers, heads, ...), flat.
void describe(io::ConfigVisitor& v, model::Wav2Vec2Options& o);
void describe(io::ConfigVisitor& v, optim::OptimizerOptions& o);
// total_steps is not a key: the trainer sets it from the run length.
void describe(io::ConfigVisitor& v, optim::LrScheduleOptions& o);

// Cross-field checks (heads divide hidden into even head widths); ConfigError naming `source`.
void validate(const task::MaskedModelingOptions& o, const std::string& source);
void validate(const model::BitEncoderOptions& o, const std::string& source);

}  // namespace neuroscale::jobs
