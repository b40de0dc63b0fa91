#include "distributed/text_data.h"

#include <algorithm>

#include "core/check.h"
#include "distributed/step_source.h"

namespace neuroscale::distributed {
namespace {

// One rank's micro-batches of token sequences, padded to the longest of each.
class TextSource : public StepSource {
 public:
  TextSource(const TokenSequences& sequences, const io::GlobalSampler& sampler,
             io::SamplerPosition start, int rank, int world_size, int accumulate, std::int64_t pad,
             bool one_pass)
      : StepSource(sampler, start, rank, world_size, accumulate, one_pass, /*whole_step=*/false),
        sequences_(sequences),
        pad_(pad) {}

 private:
  Batch collate(const io::MicroBatch& micro) const override {
    Batch batch;
    batch.trials = micro.trials;
    std::int64_t longest = 0;
    for (const auto t : micro.trials) {
      longest = std::max<std::int64_t>(
          longest, static_cast<std::int64_t>(sequences_[static_cast<std::size_t>(t)].size()));
    }
    const auto rows = static_cast<std::int64_t>(micro.trials.size());
    batch.tokens = at::full({rows, longest}, pad_, at::kLong);
    batch.bins = at::zeros({rows}, at::kLong);
    auto* tokens = batch.tokens.data_ptr<std::int64_t>();
    for (std::int64_t r = 0; r < rows; ++r) {
      const auto& sequence =
          sequences_[static_cast<std::size_t>(micro.trials[static_cast<std::size_t>(r)])];
      std::copy(sequence.begin(), sequence.end(), tokens + r * longest);
      batch.bins[r] = static_cast<std::int64_t>(sequence.size());
    }
    return batch;
  }

  const TokenSequences& sequences_;
  std::int64_t pad_;
};

}  // namespace

TextTrainingData::TextTrainingData(TokenSequences train, TokenSequences validation,
                                   int batch_sequences, std::int64_t seed, std::int64_t pad)
    : pad_(pad) {
  NS_CHECK_AS(ConfigError, !train.empty(), "the training text has no sequence");
  index_.normalization = "none";
  index_.source = "text";
  index_.subjects.push_back({"text", "text", 1, "token ids"});
  index_.sessions.push_back({0, "", 0, "text"});
  auto add = [&](TokenSequences& sequences, io::Split split, const char* what) {
    for (std::size_t i = 0; i < sequences.size(); ++i) {
      NS_CHECK_AS(ConfigError, sequences[i].size() >= 2, what, " sequence ", i, " has ",
                  sequences[i].size(), " token(s); causal language modelling needs at least 2");
      index_.add_trial(0, split, static_cast<std::int32_t>(sequences[i].size()), 0, 0);
      sequences_.push_back(std::move(sequences[i]));
    }
  };
  add(train, io::Split::kTrain, "training");
  add(validation, io::Split::kVal, "validation");
  index_.assign_norm_groups();
  io::SamplerOptions options;
  options.seed = seed;
  options.batch_trials = batch_sequences;
  options.split = io::Split::kTrain;
  train_sampler_ = std::make_unique<io::GlobalSampler>(index_, options);
  if (!validation.empty()) {
    options.split = io::Split::kVal;
    val_sampler_ = std::make_unique<io::GlobalSampler>(index_, options);
  }
}

std::unique_ptr<ResumableSource> TextTrainingData::train(io::SamplerPosition start, int rank,
                                                         int world_size, int accumulate) {
  return std::make_unique<TextSource>(sequences_, *train_sampler_, start, rank, world_size,
                                      accumulate, pad_, false);
}

ValidationSource TextTrainingData::validation(int rank, int world_size) {
  if (!val_sampler_) return {};
  return [this, rank, world_size]() -> std::unique_ptr<BatchSource> {
    return std::make_unique<TextSource>(sequences_, *val_sampler_, io::SamplerPosition{}, rank,
                                        world_size, 1, pad_, true);
  };
}

}  // namespace neuroscale::distributed
