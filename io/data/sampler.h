// The global sampler: which trials form which micro-batch, and which rank reads it.
//
// Per epoch, the trials of one split are shuffled (seeded by seed and epoch), grouped by
// subject (every micro-batch comes from one subject, as its read-in layer requires),
// length-bucketed (trials of similar length share a batch, so little padding), cut into
// micro-batches, and the batches shuffled. That global batch list does not depend on the
// number of ranks. At global step s, rank r of P takes batch s*P + r; in the last step of an
// epoch some ranks may get none (they contribute no gradient), so every trial is read
// exactly once per epoch. The position (epoch, cursor = global batches consumed) is all a
// checkpoint needs, and it stays valid when the number of ranks changes.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "io/corpus/corpus_index.h"

namespace neuroscale::io {

struct SamplerOptions {
  std::int64_t seed = 0;        ///< shuffling seed (combined with the epoch)
  int batch_trials = 8;         ///< trials per micro-batch (per rank, per step)
  Split split = Split::kTrain;  ///< which trials to sample
  int bucket_batches = 16;  ///< length bucketing: sort within pools of this many batches (1: off)
  std::vector<std::int32_t> subjects;  ///< restrict to these subject indices (empty: all)
  std::vector<std::string> tasks;      ///< restrict to sessions of these tasks (empty: all)
  bool labeled_only = false;           ///< only trials with phoneme labels (fine-tuning)
  /// keep this fraction of each subject's trials (at least one), chosen by a stable hash of
  /// (fraction_seed, trial id): the subset does not depend on `seed`, and a smaller fraction's
  /// subset lies inside a larger one's (label-efficiency studies)
  double fraction = 1.0;
  std::uint64_t fraction_seed = 0;
};

struct MicroBatch {
  std::int32_t subject = 0;
  std::vector<std::int64_t> trials;  // global trial ids, all of `subject`
};

struct SamplerPosition {
  std::int64_t epoch = 0;
  std::int64_t cursor = 0;  // global batches of `epoch` already consumed
  bool operator==(const SamplerPosition& o) const { return epoch == o.epoch && cursor == o.cursor; }
};

class GlobalSampler {
 public:
  // Throws ConfigError if no trial of the split (and subjects) exists or options are invalid.
  GlobalSampler(const CorpusIndex& index, SamplerOptions options);

  // The epoch's batches in global order (a pure function of seed, epoch and the index).
  std::vector<MicroBatch> epoch_batches(std::int64_t epoch) const;
  std::int64_t batches_per_epoch() const { return batches_per_epoch_; }
  // The trials it samples from (after subjects, tasks, labels and fraction), by subject.
  const std::vector<std::vector<std::int64_t>>& trials_by_subject() const {
    return trials_by_subject_;
  }
  // Steps of an epoch for `world_size` ranks: ceil(batches / world_size).
  std::int64_t steps_per_epoch(int world_size) const;

  // This rank's micro-batch for the step at `position`, then advances `position` by one step
  // (world_size batches), rolling over to the next epoch at its end. Empty when the last step
  // of the epoch has fewer batches than ranks and this rank has none. Thread-safe.
  std::optional<MicroBatch> next(SamplerPosition& position, int rank, int world_size) const;

 private:
  const CorpusIndex& index_;
  SamplerOptions options_;
  std::vector<std::vector<std::int64_t>> trials_by_subject_;
  std::int64_t batches_per_epoch_ = 0;
  // Cache of the last epoch's batches (next() is called once per step), shared by the
  // loaders of one process (the micro-batches of gradient accumulation read in parallel).
  mutable std::mutex cache_mutex_;
  mutable std::int64_t cached_epoch_ = -1;
  mutable std::vector<MicroBatch> cached_;
};

}  // namespace neuroscale::io
