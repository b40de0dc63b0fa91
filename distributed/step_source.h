// The step logic shared by the batch sources that sample their own data (TextSource,
// SpeechSource): at slot 0 a whole step is drawn from the global sampler, slot j of rank r
// being virtual rank r * accumulate + j of world_size * accumulate, so a step holds the same
// utterances or sentences for any number of ranks at the same global batch; the source's
// position is the global sampler's after the steps consumed. Subclasses turn a micro-batch
// into a Batch.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "distributed/batch_source.h"

namespace neuroscale::distributed {

class StepSource : public ResumableSource {
 public:
  std::optional<Batch> next(int slot) final;
  io::SamplerPosition position() const final { return position_; }

 protected:
  // `one_pass`: a validation source, empty after its first epoch. `whole_step`: draw every
  // virtual rank's micro-batch (not only this rank's) and show each to begin_step(), for
  // choices that must not depend on how the global batch is split.
  StepSource(const io::GlobalSampler& sampler, io::SamplerPosition start, int rank, int world_size,
             int accumulate, bool one_pass, bool whole_step);

  // Called once per step before any collate(), with the step's epoch and, with whole_step,
  // every virtual rank's micro-batch (else this rank's); absent entries are exhausted ranks.
  virtual void begin_step(std::int64_t epoch,
                          const std::vector<std::optional<io::MicroBatch>>& drawn) {}
  // One of this rank's micro-batches as a Batch.
  virtual Batch collate(const io::MicroBatch& micro) const = 0;

 private:
  void fill_step();

  const io::GlobalSampler& sampler_;
  io::SamplerPosition position_;
  int rank_, world_size_, accumulate_;
  bool one_pass_, whole_step_;
  std::vector<std::optional<io::MicroBatch>> step_;  ///< this rank's slots
};

}  // namespace neuroscale::distributed
