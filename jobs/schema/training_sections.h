// The sections every training config shares: `data` (a neural corpus and its loaders),
// `train` (the loop) and `checkpoint`. The options themselves are the engine's
// (distributed/training_options.h, distributed/corpus_data.h); these describe() functions
// bind each field to its key, with its check and doc line.
#pragma once

#include "distributed/corpus_data.h"
#include "distributed/training_options.h"
#include "io/config/config_visitor.h"

namespace neuroscale::jobs {

void describe(io::ConfigVisitor& v, distributed::CorpusDataOptions& o);
void describe(io::ConfigVisitor& v, distributed::TrainOptions& o);
// Every train key but max_steps and micro_batch (for jobs that size their steps otherwise).
void describe_engine(io::ConfigVisitor& v, distributed::TrainOptions& o);
void describe(io::ConfigVisitor& v, distributed::CheckpointPolicy& o);

}  // namespace neuroscale::jobs
