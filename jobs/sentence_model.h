// The end-to-end model of a `task: sentence` fine-tuning config, built the same way by
// training and by `evaluate` (decode.method: llm): the frozen LM of sentence.llm with LoRA
// adapters, the BIT encoder, the projector and the aligner (core/llm/neural_lm.h) inside the
// sentence task, and the identity its checkpoints record (the model keys, the subjects, and
// the LM by content: its weights' and tokenizer's hashes, not its path).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/task/sentence_task.h"
#include "io/checkpoint/model_identity.h"
#include "io/corpus/corpus_index.h"
#include "io/llm/hf_model.h"
#include "jobs/schema/finetune_schema.h"

namespace neuroscale::jobs {

struct SentenceModel {
  io::HfCausalLm lm;  ///< the frozen LM and its tokenizer (the task tokenizes with it)
  std::unique_ptr<task::SentenceTask> task;
  std::string base_weights;  ///< the LM's weight files by name and XXH64
  io::ModelIdentity identity;
  std::string checkpoint;  ///< when loaded: the checkpoint directory
  std::int64_t step = 0;   ///< when loaded: its step
};

// Builds the model of `config` for `subjects` on the CPU (adapters, projector and aligner
// drawn from config.seed). Throws DataError naming the LM's file at fault, ConfigError for an
// LM without an EOS token.
std::unique_ptr<SentenceModel> build_sentence_model(FinetuneConfig config,
                                                    const std::vector<model::SubjectSpec>& subjects,
                                                    Logger& log);

// The newest verified checkpoint of the `task: sentence` run at `path` (a run directory or
// one of its checkpoints), rebuilt from the run's config.yaml with the subjects of `index`
// (the corpus `corpus`). Throws ConfigError when the checkpoint was written for another
// model, subject table or LM (its weights changed).
std::unique_ptr<SentenceModel> load_sentence_model(const std::string& path,
                                                   const io::CorpusIndex& index,
                                                   const std::string& corpus, Logger& log);

}  // namespace neuroscale::jobs
