// `neuroscale finetune` with `task: sentence`: BIT's end-to-end stage on the engine. The
// BIT encoder (fresh, or init.checkpoint's: a pretraining or CTC fine-tuning run) feeds a
// projector into a causal LM loaded frozen from sentence.llm, with LoRA adapters and the
// modality aligner. Only the encoder, projector, adapters, aligner (and the optional CTC
// head) are trained, all-reduced and checkpointed; the checkpoints name the LM's weights by
// content, and ranks on one node share the memory-mapped weights.
#pragma once

#include "jobs/config_job.h"
#include "jobs/schema/finetune_schema.h"

namespace neuroscale::jobs {

void run_sentence_finetune(ConfigJob& job, FinetuneConfig& config);

}  // namespace neuroscale::jobs
