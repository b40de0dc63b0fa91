// Where the Trainer's micro-batches come from. A BatchSource hands one rank its micro-batch
// for each accumulation slot of a step; a ResumableSource also knows its place in the global
// batch order, which a checkpoint records and a resume restarts from; a TrainingData makes
// both for a run (the training pass from a position, fresh validation passes).
// Implementations: LoaderSource (neural corpora, CorpusTrainingData), FmriSource
// (brain-tuning).
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "core/batch.h"
#include "io/data/sampler.h"

namespace neuroscale::distributed {

// A rank's micro-batches: slot j in 0..accumulate-1 of each step. Empty when this rank has
// none for that slot (the last step of an epoch).
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual std::optional<Batch> next(int slot) = 0;
};

// Makes a fresh source of validation micro-batches (a new pass each call).
using ValidationSource = std::function<std::unique_ptr<BatchSource>()>;

// A training BatchSource whose position is (epoch, global batches consumed in that epoch),
// the same on every rank.
class ResumableSource : public BatchSource {
 public:
  // The global position after the steps consumed so far.
  virtual io::SamplerPosition position() const = 0;
};

// A run's data. Both calls give every rank its own share of one global batch order that
// depends only on the seed (never on the number of ranks).
class TrainingData {
 public:
  virtual ~TrainingData() = default;
  // This rank's training micro-batches from global position `start` (a resume's), with
  // `accumulate` slots per step.
  virtual std::unique_ptr<ResumableSource> train(io::SamplerPosition start, int rank,
                                                 int world_size, int accumulate) = 0;
  // Fresh passes over the validation data (an empty function: no validation).
  virtual ValidationSource validation(int rank, int world_size) = 0;
};

}  // namespace neuroscale::distributed
