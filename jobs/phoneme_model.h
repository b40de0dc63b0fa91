// The fine-tuned phoneme decoder a checkpoint holds, as `evaluate` rebuilds it: the model from
// the config.yaml of the fine-tuning run that wrote the checkpoint, the subject table from
// the corpus being decoded, both checked against the checkpoint's model identity, then the
// checkpoint's parameters loaded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/log.h"
#include "core/task/ctc_phoneme.h"
#include "io/checkpoint/checkpoint_reader.h"
#include "io/corpus/corpus_index.h"
#include "jobs/schema/finetune_schema.h"

namespace neuroscale::jobs {

struct PhonemeModel {
  std::unique_ptr<task::CtcPhonemeTask> task;
  std::string checkpoint;       ///< the checkpoint directory loaded
  std::int64_t step = 0;        ///< its step
  std::int64_t patch_size = 1;  ///< bins per token (the loader pads trials to a multiple)
};

// The newest verified checkpoint of `path` (a fine-tuning run directory or one of its
// checkpoints; unverifiable ones are skipped with a warning) with the subjects of `index`
// (the corpus `corpus`). Throws ConfigError when the checkpoint was written for another
// model or subject table, CheckpointError when none verifies or a parameter is missing.
// The config of the fine-tuning run whose checkpoints `location` finds (RUN/config.yaml
// beside RUN/checkpoints).
FinetuneConfig finetune_run_config(const io::CheckpointLocation& location);

PhonemeModel load_phoneme_model(const std::string& path, const io::CorpusIndex& index,
                                const std::string& corpus, Logger& log);

}  // namespace neuroscale::jobs
