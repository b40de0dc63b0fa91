// The training data of causal language modelling: token sequences (one per line of a text
// file) batched by the global sampler (io/data/sampler.h) as if each sequence were a trial
// of one subject: shuffled per epoch, length-bucketed, the same global batch order for any
// number of ranks and accumulation slots, resumable from (epoch, cursor).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "distributed/batch_source.h"
#include "io/corpus/corpus_index.h"
#include "io/data/sampler.h"

namespace neuroscale::distributed {

using TokenSequences = std::vector<std::vector<std::int64_t>>;

class TextTrainingData : public TrainingData {
 public:
  // `train` (non-empty) and `validation` (may be empty: no validation) sequences, each of at
  // least 2 tokens; batches of `batch_sequences` right-padded with `pad`. Throws ConfigError
  // for an empty training set or a sequence shorter than 2 tokens (naming its index).
  TextTrainingData(TokenSequences train, TokenSequences validation, int batch_sequences,
                   std::int64_t seed, std::int64_t pad);

  std::unique_ptr<ResumableSource> train(io::SamplerPosition start, int rank, int world_size,
                                         int accumulate) override;
  ValidationSource validation(int rank, int world_size) override;

  // Global batches of one training epoch.
  std::int64_t batches_per_epoch() const { return train_sampler_->batches_per_epoch(); }
  std::int64_t validation_batches() const {
    return val_sampler_ ? val_sampler_->batches_per_epoch() : 0;
  }

 private:
  TokenSequences sequences_;  // training first, then validation; index = trial id
  io::CorpusIndex index_;
  std::unique_ptr<io::GlobalSampler> train_sampler_, val_sampler_;
  std::int64_t pad_;
};

}  // namespace neuroscale::distributed
