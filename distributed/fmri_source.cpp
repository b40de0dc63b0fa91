#include "distributed/fmri_source.h"

#include "core/check.h"
#include "io/fmri/stimulus_window.h"

namespace neuroscale::distributed {

FmriSource::FmriSource(const io::FmriReader& reader, const io::TrBatchPlan& plan,
                       std::vector<std::string> participants, io::SamplerPosition start, int rank,
                       int world_size, int accumulate, FmriSourceOptions options)
    : reader_(reader),
      plan_(plan),
      participants_(std::move(participants)),
      position_(start),
      rank_(rank),
      world_size_(world_size),
      accumulate_(accumulate),
      options_(options),
      window_samples_(io::window_samples(options.window_s, reader.index().sample_rate)) {
  NS_CHECK(accumulate_ >= 1 && world_size_ >= 1 && rank_ >= 0 && rank_ < world_size_,
           "FmriSource: rank ", rank_, " of ", world_size_, ", accumulate ", accumulate_);
  NS_CHECK_AS(ConfigError, window_samples_ >= 1, "stimulus window of ", options.window_s,
              " s has no samples");
}

const at::Tensor& FmriSource::audio(const std::string& story) {
  if (story != audio_story_) {
    audio_ = reader_.audio(story);
    audio_story_ = story;
  }
  return audio_;
}

const at::Tensor& FmriSource::responses(const std::string& participant, const std::string& story) {
  if (responses_key_ != std::make_pair(participant, story)) {
    responses_ = reader_.responses(participant, story);
    responses_key_ = {participant, story};
  }
  return responses_;
}

std::optional<Batch> FmriSource::next(int slot) {
  NS_CHECK(slot >= 0 && slot < accumulate_, "FmriSource: slot ", slot, " of ", accumulate_);
  if (position_.cursor >= plan_.batches_per_epoch()) {
    if (!options_.wrap) return std::nullopt;
    position_ = {position_.epoch + 1, 0};
  }
  if (loaded_epoch_ != position_.epoch) {
    epoch_batches_ = plan_.epoch(position_.epoch);
    loaded_epoch_ = position_.epoch;
  }
  const auto& global = epoch_batches_[static_cast<std::size_t>(position_.cursor)];
  if (slot == accumulate_ - 1) ++position_.cursor;  // the step has read every slot of this batch
  const auto rows = io::rank_rows(global, rank_ * accumulate_ + slot, world_size_ * accumulate_);
  if (rows.empty()) return std::nullopt;

  const auto& story =
      reader_.index().story(plan_.stories()[static_cast<std::size_t>(global.story)].name);
  const auto& participant = participants_[static_cast<std::size_t>(global.participant)];
  const auto& wave = audio(story.name);
  const auto& response = responses(participant, story.name);
  const auto b = static_cast<std::int64_t>(rows.size());
  Batch batch;
  batch.subject = global.participant;
  batch.features = io::stimulus_windows(wave, story, rows, reader_.index().tr_s,
                                        reader_.index().sample_rate, window_samples_)
                       .unsqueeze(2);
  const auto index = at::tensor(rows, at::kLong);
  batch.targets = response.index_select(0, index).contiguous();
  batch.trials = rows;
  batch.bins = at::ones({b}, at::kLong);  // one response row (TR) per sample
  batch.labels = at::zeros({b, 0}, at::kLong);
  batch.label_lengths = at::zeros({b}, at::kLong);
  batch.text.assign(static_cast<std::size_t>(b), story.name);
  return batch;
}

}  // namespace neuroscale::distributed
