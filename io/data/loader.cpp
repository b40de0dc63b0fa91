#include "io/data/loader.h"

#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <map>

#include "core/check.h"

namespace neuroscale::io {

struct Loader::Item {
  std::optional<MicroBatch> spec;
  SamplerPosition after;
  // read
  std::vector<std::vector<float>> features;
  std::vector<std::vector<std::uint8_t>> labels;
  std::vector<std::string> text;
  std::vector<const std::pair<std::vector<float>, std::vector<float>>*> stats;
  // collate
  std::optional<Batch> batch;
  std::exception_ptr error;
};

namespace {

using Item = Loader::Item;
using ItemPtr = std::shared_ptr<Item>;

std::string describe_trial(const CorpusReader& reader, std::int64_t trial) {
  const CorpusIndex& index = reader.index();
  const auto& session = index.sessions[index.trial_session[trial]];
  return detail::concat("'", reader.path(), "': trial ", trial, " (subject ",
                        index.subjects[session.subject].name, ", session ", session.date, ")");
}

// Checks values and applies statistics in place; throws DataError naming the trial.
void normalise(const CorpusReader& reader, std::int64_t trial, std::vector<float>& x,
               const std::pair<std::vector<float>, std::vector<float>>* stats,
               const std::vector<std::uint8_t>& labels) {
  const std::size_t channels = static_cast<std::size_t>(
      reader.index().subjects[reader.index().trial_subject(trial)].n_channels);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i])) {
      NS_THROW(DataError, describe_trial(reader, trial), ": feature at bin ", i / channels,
               ", channel ", i % channels, " is ", x[i]);
    }
    if (stats) x[i] = (x[i] - stats->first[i % channels]) / stats->second[i % channels];
  }
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 1 || labels[i] >= kPhonemeClasses) {
      NS_THROW(DataError, describe_trial(reader, trial), ": phoneme label ", i, " is ",
               int(labels[i]), " (expected 1-", kPhonemeClasses - 1, ")");
    }
  }
}

Batch collate(const Item& item, const CorpusIndex& index, int pad_multiple) {
  Batch batch;
  batch.subject = item.spec->subject;
  batch.trials = item.spec->trials;
  batch.text = item.text;
  const auto b = static_cast<std::int64_t>(batch.trials.size());
  const std::int64_t channels = index.subjects[batch.subject].n_channels;
  std::int64_t max_bins = 0, max_labels = 0;
  for (std::int64_t i = 0; i < b; ++i) {
    max_bins = std::max<std::int64_t>(max_bins, index.trial_bins[batch.trials[i]]);
    max_labels =
        std::max<std::int64_t>(max_labels, static_cast<std::int64_t>(item.labels[i].size()));
  }
  const std::int64_t padded = (max_bins + pad_multiple - 1) / pad_multiple * pad_multiple;
  batch.features = at::zeros({b, padded, channels}, at::kFloat);
  batch.bins = at::empty({b}, at::kLong);
  batch.labels = at::zeros({b, max_labels}, at::kLong);
  batch.label_lengths = at::empty({b}, at::kLong);
  float* features = batch.features.data_ptr<float>();
  std::int64_t* bins = batch.bins.data_ptr<std::int64_t>();
  std::int64_t* labels = batch.labels.data_ptr<std::int64_t>();
  std::int64_t* label_lengths = batch.label_lengths.data_ptr<std::int64_t>();
  for (std::int64_t i = 0; i < b; ++i) {
    const auto& x = item.features[i];
    std::copy(x.begin(), x.end(), features + i * padded * channels);
    bins[i] = index.trial_bins[batch.trials[i]];
    label_lengths[i] = static_cast<std::int64_t>(item.labels[i].size());
    for (std::size_t j = 0; j < item.labels[i].size(); ++j)
      labels[i * max_labels + static_cast<std::int64_t>(j)] = item.labels[i][j];
  }
  return batch;
}

}  // namespace

Loader::Loader(const CorpusReader& reader, const GlobalSampler& sampler, SamplerPosition start,
               int rank, int world_size, LoaderOptions options)
    : reader_(reader),
      sampler_(sampler),
      produced_(start),
      consumed_(start),
      rank_(rank),
      world_size_(world_size),
      options_(options),
      queue_(static_cast<std::size_t>(std::max(1, options.prefetch))) {
  NS_CHECK_AS(ConfigError, options_.prefetch >= 1, "loader: prefetch must be >= 1, is ",
              options_.prefetch);
  NS_CHECK_AS(ConfigError, options_.pad_multiple >= 1, "loader: pad_multiple must be >= 1, is ",
              options_.pad_multiple);
  NS_CHECK_AS(ConfigError, options_.threads >= 1, "loader: threads must be >= 1, is ",
              options_.threads);
  NS_ASSERT(rank >= 0 && rank < world_size, "loader for rank ", rank, " of ", world_size);
  thread_ = std::thread([this] { run(); });
}

Loader::~Loader() {
  stop_ = true;
  queue_.close();  // wakes a pipeline blocked on a full queue
  if (thread_.joinable()) thread_.join();
}

void Loader::run() {
  const bool apply_stats = options_.normalize && reader_.index().normalization == "none";
  std::map<std::int32_t, std::pair<std::vector<float>, std::vector<float>>>
      stats;  // read stage only
  std::atomic<bool> failed{false};
  // No more threads than this process may run on (mpirun binds a rank to its cores).
  tbb::task_arena arena(
      std::max(1, std::min(options_.threads, tbb::this_task_arena::max_concurrency())));
  arena.execute([&] {
    tbb::parallel_pipeline(
        static_cast<std::size_t>(options_.prefetch),
        tbb::make_filter<void, ItemPtr>(tbb::filter_mode::serial_in_order,
                                        [&](tbb::flow_control& control) -> ItemPtr {
                                          if (stop_ || failed) {
                                            control.stop();
                                            return nullptr;
                                          }
                                          auto item = std::make_shared<Item>();
                                          try {
                                            item->spec =
                                                sampler_.next(produced_, rank_, world_size_);
                                          } catch (...) {
                                            item->error = std::current_exception();
                                            failed = true;
                                          }
                                          item->after = produced_;
                                          return item;
                                        }) &
            tbb::make_filter<ItemPtr, ItemPtr>(
                tbb::filter_mode::serial_in_order,
                [&](ItemPtr item) {
                  if (item->error || !item->spec) return item;
                  std::int64_t current = -1;
                  try {
                    for (std::int64_t trial : item->spec->trials) {
                      current = trial;
                      item->features.push_back(reader_.read_trial(static_cast<std::size_t>(trial)));
                      item->labels.push_back(reader_.read_labels(static_cast<std::size_t>(trial)));
                      item->text.push_back(reader_.read_text(static_cast<std::size_t>(trial)));
                      const std::int32_t group = reader_.index().trial_norm_group[trial];
                      if (apply_stats && !stats.count(group)) {
                        reader_.read_norm_stats(static_cast<std::size_t>(group), stats[group].first,
                                                stats[group].second);
                      }
                      item->stats.push_back(apply_stats ? &stats[group] : nullptr);
                    }
                  } catch (const DataError& e) {
                    item->error = std::make_exception_ptr(DataError(
                        std::string(e.what()).rfind("'" + reader_.path() + "': trial", 0) == 0
                            ? e.what()
                            : describe_trial(reader_, current) + ": " + e.what()));
                  } catch (...) {
                    item->error = std::current_exception();
                  }
                  return item;
                }) &
            tbb::make_filter<ItemPtr, ItemPtr>(
                tbb::filter_mode::parallel,
                [&](ItemPtr item) {
                  if (item->error || !item->spec) return item;
                  try {
                    for (std::size_t i = 0; i < item->features.size(); ++i) {
                      normalise(reader_, item->spec->trials[i], item->features[i], item->stats[i],
                                item->labels[i]);
                    }
                    item->batch = collate(*item, reader_.index(), options_.pad_multiple);
                  } catch (...) {
                    item->error = std::current_exception();
                  }
                  item->features.clear();
                  return item;
                }) &
            tbb::make_filter<ItemPtr, void>(tbb::filter_mode::serial_in_order, [&](ItemPtr item) {
              if (item->error) failed = true;
              if (!queue_.push(std::move(item))) stop_ = true;  // closed: shutting down
            }));
  });
}

std::optional<Batch> Loader::next() {
  if (failure_) std::rethrow_exception(failure_);
  std::shared_ptr<Item> item;
  const bool popped = queue_.pop(item);
  NS_ASSERT(popped, "loader queue closed while in use");
  if (item->error) {
    failure_ = item->error;
    std::rethrow_exception(failure_);
  }
  consumed_ = item->after;
  return std::move(item->batch);
}

}  // namespace neuroscale::io
