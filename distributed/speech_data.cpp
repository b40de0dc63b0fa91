#include "distributed/speech_data.h"

#include <algorithm>
#include <limits>

#include "core/check.h"
#include "core/model/wav2vec2.h"
#include "core/random.h"
#include "distributed/step_source.h"

namespace neuroscale::distributed {
namespace {

constexpr std::uint64_t kCropStream = 0x63726f70ULL;  // "crop"

// One rank's micro-batches of utterances cropped to the step's length: the shortest
// utterance of the whole global batch (every virtual rank's micro-batch) or max_frames, so
// the crops do not depend on how the batch is split.
class SpeechSource : public StepSource {
 public:
  SpeechSource(const io::SpeechReader& reader, const io::SpeechLabels& labels,
               const std::vector<std::size_t>& utterances, const SpeechDataOptions& options,
               const io::GlobalSampler& sampler, io::SamplerPosition start, int rank,
               int world_size, int accumulate, bool validation)
      : StepSource(sampler, start, rank, world_size, accumulate, validation, /*whole_step=*/true),
        reader_(reader),
        labels_(labels),
        utterances_(utterances),
        options_(options),
        validation_(validation) {}

 private:
  void begin_step(std::int64_t epoch,
                  const std::vector<std::optional<io::MicroBatch>>& drawn) override {
    epoch_ = epoch;
    frames_ = options_.max_frames;
    for (const auto& micro : drawn) {
      if (!micro) continue;
      for (const auto t : micro->trials) {
        frames_ = std::min(frames_, labels_.frames[utterances_[static_cast<std::size_t>(t)]]);
      }
    }
  }

  Batch collate(const io::MicroBatch& micro) const override {
    const auto rows = static_cast<std::int64_t>(micro.trials.size());
    const std::int64_t frames = frames_;
    const std::int64_t samples = (frames - 1) * labels_.hop + labels_.window;
    Batch batch;
    batch.trials = micro.trials;
    batch.features = at::zeros({rows, samples, 1}, at::kFloat);
    batch.labels = at::zeros({rows, frames}, at::kLong);
    batch.bins = at::full({rows}, frames, at::kLong);
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::int64_t trial = micro.trials[static_cast<std::size_t>(r)];
      const std::size_t u = utterances_[static_cast<std::size_t>(trial)];
      std::int64_t first = 0;  // the crop's first frame
      const std::int64_t spare = labels_.frames[u] - frames;
      if (!validation_ && spare > 0) {
        Rng rng(
            static_cast<std::uint64_t>(options_.seed),
            {kCropStream, static_cast<std::uint64_t>(epoch_), static_cast<std::uint64_t>(trial)});
        first = rng.uniform_int(0, spare);
      }
      const std::vector<float> audio = reader_.audio(u);
      at::Tensor crop = at::from_blob(const_cast<float*>(audio.data()) + first * labels_.hop,
                                      {samples}, at::kFloat);
      if (options_.normalize_audio) crop = model::normalize_waveform(crop);
      batch.features[r].select(1, 0).copy_(crop);
      const auto* source = labels_.labels.data() + labels_.offset[u] + first;
      auto* row = batch.labels.data_ptr<std::int64_t>() + r * frames;
      std::copy(source, source + frames, row);
    }
    return batch;
  }

  const io::SpeechReader& reader_;
  const io::SpeechLabels& labels_;
  const std::vector<std::size_t>& utterances_;
  const SpeechDataOptions& options_;
  bool validation_;
  std::int64_t epoch_ = 0;
  std::int64_t frames_ = 0;  // the step's crop length
};

}  // namespace

SpeechTrainingData::SpeechTrainingData(const io::SpeechReader& reader,
                                       const io::SpeechLabels& labels, SpeechDataOptions options)
    : reader_(reader), labels_(labels), options_(options) {
  const auto& corpus = reader.index();
  io::check_labels_match(labels, corpus);
  NS_CHECK_AS(ConfigError,
              options_.batch_utterances >= 1 && options_.min_frames >= 1 &&
                  options_.max_frames >= options_.min_frames,
              "speech data: batch_utterances ", options_.batch_utterances, ", min_frames ",
              options_.min_frames, ", max_frames ", options_.max_frames,
              " (expected >= 1, >= 1, >= min_frames)");
  index_.normalization = "none";
  index_.source = "speech";
  index_.subjects.push_back({"speech", "speech", 1, "waveform"});
  index_.sessions.push_back({0, "", 0, "speech"});
  std::int64_t validation = 0;
  for (std::size_t u = 0; u < corpus.utterances.size(); ++u) {
    const auto& utterance = corpus.utterances[u];
    const std::int64_t frames = labels.frames[u];
    if (frames < options_.min_frames || utterance.split == "test") continue;
    const bool train = utterance.split == "train";
    NS_CHECK_AS(DataError, frames <= std::numeric_limits<std::int32_t>::max(), "speech corpus '",
                corpus.path, "', utterance ", u, ": ", frames, " frames");
    index_.add_trial(0, train ? io::Split::kTrain : io::Split::kVal,
                     static_cast<std::int32_t>(frames), 0, 0);
    utterances_.push_back(u);
    (train ? train_utterances_ : validation) += 1;
  }
  NS_CHECK_AS(ConfigError, train_utterances_ > 0, "speech corpus '", corpus.path,
              "' has no train utterance of at least ", options_.min_frames, " frames");
  index_.assign_norm_groups();
  io::SamplerOptions sampler;
  sampler.seed = options_.seed;
  sampler.batch_trials = options_.batch_utterances;
  sampler.split = io::Split::kTrain;
  train_sampler_ = std::make_unique<io::GlobalSampler>(index_, sampler);
  if (validation > 0) {
    sampler.split = io::Split::kVal;
    val_sampler_ = std::make_unique<io::GlobalSampler>(index_, sampler);
  }
}

std::unique_ptr<ResumableSource> SpeechTrainingData::train(io::SamplerPosition start, int rank,
                                                           int world_size, int accumulate) {
  return std::make_unique<SpeechSource>(reader_, labels_, utterances_, options_, *train_sampler_,
                                        start, rank, world_size, accumulate, false);
}

ValidationSource SpeechTrainingData::validation(int rank, int world_size) {
  if (!val_sampler_) return {};
  return [this, rank, world_size]() -> std::unique_ptr<BatchSource> {
    return std::make_unique<SpeechSource>(reader_, labels_, utterances_, options_, *val_sampler_,
                                          io::SamplerPosition{}, rank, world_size, 1, true);
  };
}

}  // namespace neuroscale::distributed
