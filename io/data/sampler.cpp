#include "io/data/sampler.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"
#include "core/random.h"

namespace neuroscale::io {
namespace {

constexpr std::uint64_t kShuffleStream = 0x5A3D;
constexpr std::uint64_t kFractionStream = 0x46524143;  // "FRAC"

}  // namespace

GlobalSampler::GlobalSampler(const CorpusIndex& index, SamplerOptions options)
    : index_(index), options_(std::move(options)) {
  NS_CHECK_AS(ConfigError, options_.batch_trials >= 1, "sampler: batch_trials must be >= 1, is ",
              options_.batch_trials);
  NS_CHECK_AS(ConfigError, options_.bucket_batches >= 1,
              "sampler: bucket_batches must be >= 1, is ", options_.bucket_batches);
  NS_CHECK_AS(ConfigError, options_.fraction > 0.0 && options_.fraction <= 1.0,
              "sampler: fraction must be in (0, 1], is ", options_.fraction);
  trials_by_subject_.resize(index_.subjects.size());
  for (std::int32_t s : options_.subjects) {
    NS_CHECK_AS(ConfigError, s >= 0 && s < static_cast<std::int32_t>(index_.subjects.size()),
                "sampler: subject index ", s, " does not exist (", index_.subjects.size(),
                " subjects)");
  }
  auto wanted = [&](std::int32_t subject) {
    return options_.subjects.empty() ||
           std::find(options_.subjects.begin(), options_.subjects.end(), subject) !=
               options_.subjects.end();
  };
  // Sessions of the wanted tasks (every session without a task filter).
  std::vector<char> session_wanted(index_.sessions.size(), 1);
  if (!options_.tasks.empty()) {
    for (std::size_t s = 0; s < index_.sessions.size(); ++s)
      session_wanted[s] = std::find(options_.tasks.begin(), options_.tasks.end(),
                                    index_.sessions[s].task) != options_.tasks.end();
  }
  for (std::size_t t = 0; t < index_.trial_count(); ++t) {
    if (index_.trial_split[t] != static_cast<std::int8_t>(options_.split)) continue;
    if (options_.labeled_only && index_.label_count[t] == 0) continue;
    if (!session_wanted[static_cast<std::size_t>(index_.trial_session[t])]) continue;
    const std::int32_t subject = index_.trial_subject(t);
    if (wanted(subject)) trials_by_subject_[subject].push_back(static_cast<std::int64_t>(t));
  }
  if (options_.fraction < 1.0) {
    for (auto& trials : trials_by_subject_) {
      if (trials.empty()) continue;
      // Rank trials by a hash of (fraction_seed, trial); keep the lowest ranks, in trial order.
      std::vector<std::pair<std::uint64_t, std::int64_t>> ranked;
      for (const auto trial : trials) {
        Rng hash(options_.fraction_seed, {kFractionStream, static_cast<std::uint64_t>(trial)});
        ranked.emplace_back(hash.next_u64(), trial);
      }
      std::sort(ranked.begin(), ranked.end());
      const auto keep = std::max<std::size_t>(
          1, static_cast<std::size_t>(
                 std::llround(options_.fraction * static_cast<double>(trials.size()))));
      ranked.resize(std::min(keep, ranked.size()));
      trials.clear();
      for (const auto& item : ranked) trials.push_back(item.second);
      std::sort(trials.begin(), trials.end());
    }
  }
  for (const auto& trials : trials_by_subject_) {
    batches_per_epoch_ += (static_cast<std::int64_t>(trials.size()) + options_.batch_trials - 1) /
                          options_.batch_trials;
  }
  NS_CHECK_AS(ConfigError, batches_per_epoch_ > 0, "sampler: the corpus has no ",
              to_string(options_.split),
              options_.labeled_only ? " trials with phoneme labels" : " trials",
              options_.subjects.empty() ? "" : " for the selected subjects",
              options_.tasks.empty() ? "" : " in sessions of the selected tasks");
}

std::vector<MicroBatch> GlobalSampler::epoch_batches(std::int64_t epoch) const {
  Rng rng(static_cast<std::uint64_t>(options_.seed),
          {kShuffleStream, static_cast<std::uint64_t>(epoch)});
  std::vector<MicroBatch> batches;
  batches.reserve(static_cast<std::size_t>(batches_per_epoch_));
  const std::size_t b = static_cast<std::size_t>(options_.batch_trials);
  const std::size_t pool = b * static_cast<std::size_t>(options_.bucket_batches);
  for (std::size_t subject = 0; subject < trials_by_subject_.size(); ++subject) {
    std::vector<std::int64_t> trials = trials_by_subject_[subject];
    shuffle(trials, rng);
    // Length bucketing: sort each pool of trials by length, then cut into batches.
    for (std::size_t start = 0; start < trials.size(); start += pool) {
      const auto end =
          trials.begin() + static_cast<std::ptrdiff_t>(std::min(trials.size(), start + pool));
      std::stable_sort(trials.begin() + static_cast<std::ptrdiff_t>(start), end,
                       [&](std::int64_t a, std::int64_t c) {
                         return index_.trial_bins[a] < index_.trial_bins[c];
                       });
    }
    for (std::size_t start = 0; start < trials.size(); start += b) {
      MicroBatch batch;
      batch.subject = static_cast<std::int32_t>(subject);
      batch.trials.assign(
          trials.begin() + static_cast<std::ptrdiff_t>(start),
          trials.begin() + static_cast<std::ptrdiff_t>(std::min(trials.size(), start + b)));
      batches.push_back(std::move(batch));
    }
  }
  shuffle(batches, rng);
  return batches;
}

std::int64_t GlobalSampler::steps_per_epoch(int world_size) const {
  NS_ASSERT(world_size >= 1, "world size ", world_size);
  return (batches_per_epoch_ + world_size - 1) / world_size;
}

std::optional<MicroBatch> GlobalSampler::next(SamplerPosition& position, int rank,
                                              int world_size) const {
  NS_ASSERT(rank >= 0 && rank < world_size, "rank ", rank, " of ", world_size);
  NS_CHECK_AS(ConfigError, position.cursor >= 0 && position.cursor <= batches_per_epoch_,
              "sampler position (epoch ", position.epoch, ", cursor ", position.cursor,
              ") is outside an epoch of ", batches_per_epoch_,
              " batches (different corpus or batch size?)");
  if (position.cursor >= batches_per_epoch_) {
    ++position.epoch;
    position.cursor = 0;
  }
  const std::int64_t mine = position.cursor + rank;
  position.cursor = std::min(batches_per_epoch_, position.cursor + world_size);
  if (mine >= batches_per_epoch_) return std::nullopt;
  std::lock_guard<std::mutex> lock(cache_mutex_);
  if (cached_epoch_ != position.epoch) {
    cached_ = epoch_batches(position.epoch);
    cached_epoch_ = position.epoch;
  }
  return cached_[static_cast<std::size_t>(mine)];
}

}  // namespace neuroscale::io
