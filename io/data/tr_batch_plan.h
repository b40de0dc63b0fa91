// The global batch order of brain-tuning, as the multi-participant reference trains: in each
// epoch, for each training story (in the given order, or shuffled per epoch), for each
// participant in the given order that has responses to it, that participant's response rows
// in consecutive batches of `batch_rows`. A global batch therefore holds one participant's
// rows of one story, and one optimizer step back-propagates that participant's L2 loss
// alone: participants are trained one at a time on the same stimuli, never averaged.
// The order depends only on the options and the epoch, never on the number of ranks; a
// global batch is split into contiguous row ranges over the P*A virtual ranks of a step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace neuroscale::io {

struct TrStory {
  std::string name;
  std::int64_t rows = 0;                   ///< response rows (TRs) of the story
  std::vector<std::int32_t> participants;  ///< indices, in training order, with responses to it
};

struct TrPlanOptions {
  std::int64_t batch_rows = 128;  ///< rows per global batch (the reference: 128)
  bool shuffle = false;           ///< shuffle story order and rows within a story per epoch
  std::uint64_t seed = 0;         ///< of the shuffles (combined with the epoch)
};

struct TrBatch {
  std::int32_t story = 0;          ///< index into the plan's stories
  std::int32_t participant = 0;    ///< participant index (as in TrStory::participants)
  std::vector<std::int64_t> rows;  ///< response rows of the story, in batch order
};

class TrBatchPlan {
 public:
  // Throws ConfigError when there is nothing to train on or batch_rows < 1.
  TrBatchPlan(std::vector<TrStory> stories, TrPlanOptions options);

  // Global batches in one epoch (the same for every epoch).
  std::int64_t batches_per_epoch() const { return batches_per_epoch_; }
  // Response rows over all participants in one epoch (each row once per participant).
  std::int64_t rows_per_epoch() const { return rows_per_epoch_; }
  // The global batches of `epoch`, in order.
  std::vector<TrBatch> epoch(std::int64_t epoch) const;
  const std::vector<TrStory>& stories() const { return stories_; }

 private:
  std::vector<TrStory> stories_;
  TrPlanOptions options_;
  std::int64_t batches_per_epoch_ = 0;
  std::int64_t rows_per_epoch_ = 0;
};

// The rows of `batch` that virtual rank `virtual_rank` of `virtual_ranks` reads: a contiguous
// share, sizes differing by at most one (empty when the batch has fewer rows than ranks).
std::vector<std::int64_t> rank_rows(const TrBatch& batch, int virtual_rank, int virtual_ranks);

}  // namespace neuroscale::io
