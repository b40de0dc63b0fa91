#include "io/data/tr_batch_plan.h"

#include <numeric>

#include "core/check.h"
#include "core/random.h"

namespace neuroscale::io {
namespace {

constexpr std::uint64_t kStoryStream = 0x53544F52;  // "STOR"
constexpr std::uint64_t kRowStream = 0x524F5753;    // "ROWS"

}  // namespace

TrBatchPlan::TrBatchPlan(std::vector<TrStory> stories, TrPlanOptions options)
    : stories_(std::move(stories)), options_(options) {
  NS_CHECK_AS(ConfigError, options_.batch_rows >= 1,
              "brain-tuning batches need at least 1 row, got ", options_.batch_rows);
  for (const auto& story : stories_) {
    NS_CHECK_AS(DataError, story.rows >= 0, "story '", story.name, "' has ", story.rows, " rows");
    const std::int64_t batches = (story.rows + options_.batch_rows - 1) / options_.batch_rows;
    const auto participants = static_cast<std::int64_t>(story.participants.size());
    batches_per_epoch_ += batches * participants;
    rows_per_epoch_ += story.rows * participants;
  }
  NS_CHECK_AS(ConfigError, batches_per_epoch_ > 0,
              "nothing to train on: no training story has responses of a selected participant");
}

std::vector<TrBatch> TrBatchPlan::epoch(std::int64_t epoch) const {
  std::vector<std::int32_t> order(stories_.size());
  std::iota(order.begin(), order.end(), 0);
  const auto e = static_cast<std::uint64_t>(epoch);
  if (options_.shuffle) {
    Rng rng(options_.seed, {kStoryStream, e});
    shuffle(order, rng);
  }
  std::vector<TrBatch> batches;
  batches.reserve(static_cast<std::size_t>(batches_per_epoch_));
  for (const auto s : order) {
    const auto& story = stories_[static_cast<std::size_t>(s)];
    std::vector<std::int64_t> rows(static_cast<std::size_t>(story.rows));
    std::iota(rows.begin(), rows.end(), 0);
    if (options_.shuffle) {  // one row order per (epoch, story), shared by its participants
      Rng rng(options_.seed, {kRowStream, e, static_cast<std::uint64_t>(s)});
      shuffle(rows, rng);
    }
    for (const auto participant : story.participants) {
      for (std::int64_t first = 0; first < story.rows; first += options_.batch_rows) {
        const auto last = std::min(story.rows, first + options_.batch_rows);
        batches.push_back({s, participant, {rows.begin() + first, rows.begin() + last}});
      }
    }
  }
  return batches;
}

std::vector<std::int64_t> rank_rows(const TrBatch& batch, int virtual_rank, int virtual_ranks) {
  NS_CHECK(virtual_ranks >= 1 && virtual_rank >= 0 && virtual_rank < virtual_ranks,
           "rank_rows: virtual rank ", virtual_rank, " of ", virtual_ranks);
  const auto n = static_cast<std::int64_t>(batch.rows.size());
  const auto begin = n * virtual_rank / virtual_ranks;
  const auto end = n * (virtual_rank + 1) / virtual_ranks;
  return {batch.rows.begin() + begin, batch.rows.begin() + end};
}

}  // namespace neuroscale::io
