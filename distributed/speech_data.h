// The training data of HuBERT's masked prediction: the utterances of a speech corpus
// (io/speech) with their frame labels, batched by the global sampler (io/data/sampler.h) as
// trials of one subject whose length is their frame count: shuffled per epoch, length-bucketed,
// the same global batch order for any number of ranks and accumulation slots, resumable from
// (epoch, cursor). A step's utterances are cropped to one length, the shortest of its global
// batch or `max_frames`, whichever is less (fairseq's HuBERT crops rather than pad, per
// micro-batch; per global batch the result does not depend on the number of ranks): a random
// window of whole frames per utterance, drawn from (seed, epoch, utterance) for training, the
// first frames for validation. Waveforms are normalised per crop (zero mean,
// unit variance) when `normalize_audio`.
#pragma once

#include <cstdint>
#include <memory>

#include "distributed/batch_source.h"
#include "io/corpus/corpus_index.h"
#include "io/data/sampler.h"
#include "io/speech/speech_labels.h"
#include "io/speech/speech_reader.h"

namespace neuroscale::distributed {

struct SpeechDataOptions {
  int batch_utterances = 8;       ///< utterances per micro-batch (per rank, per step)
  std::int64_t max_frames = 250;  ///< longest crop in encoder frames (250: 5 s)
  std::int64_t min_frames = 20;   ///< shorter utterances are left out (20: 0.4 s)
  bool normalize_audio = true;    ///< zero mean, unit variance per crop
  std::int64_t seed = 0;          ///< shuffling and cropping
};

class SpeechTrainingData : public TrainingData {
 public:
  // `reader` and `labels` must outlive this (labels checked against the corpus: DataError
  // naming both). Training on the corpus' train split, validation on its validation split
  // (none when empty). Throws ConfigError when no train utterance has min_frames.
  SpeechTrainingData(const io::SpeechReader& reader, const io::SpeechLabels& labels,
                     SpeechDataOptions options);

  std::unique_ptr<ResumableSource> train(io::SamplerPosition start, int rank, int world_size,
                                         int accumulate) override;
  ValidationSource validation(int rank, int world_size) override;

  std::int64_t batches_per_epoch() const { return train_sampler_->batches_per_epoch(); }
  std::int64_t train_utterances() const { return train_utterances_; }

 private:
  const io::SpeechReader& reader_;
  const io::SpeechLabels& labels_;
  SpeechDataOptions options_;
  io::CorpusIndex index_;                // trial i = utterances_[i]
  std::vector<std::size_t> utterances_;  // corpus utterance of each trial
  std::unique_ptr<io::GlobalSampler> train_sampler_, val_sampler_;
  std::int64_t train_utterances_ = 0;
};

}  // namespace neuroscale::distributed
