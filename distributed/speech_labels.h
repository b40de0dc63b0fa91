// HuBERT's frame targets for a speech corpus, made across the ranks (docs/speech-pretraining.md,
// "Targets"): every rank computes the features of its block of utterances; a sample of the
// training split's frames (each frame kept with one probability, drawn from the seed, so every
// rank knows which without communication) is summed into one matrix on every rank; every rank
// runs the same deterministic k-means on it; each rank labels its utterances' frames with the
// nearest centroid and the labels are summed the same way. Collective: every rank calls it
// with the same corpus and options.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/speech/kmeans.h"
#include "distributed/communicator.h"
#include "io/speech/speech_labels.h"
#include "io/speech/speech_reader.h"

namespace neuroscale::distributed {

struct SpeechLabelOptions {
  std::string features = "mfcc";     ///< what `extract` computes, recorded in the file
  std::int64_t window = 400;         ///< samples per frame of `extract`
  std::int64_t hop = 320;            ///< samples between its frames
  std::int64_t fit_frames = 250000;  ///< frames of the training split k-means is fitted on (about)
  std::string fit_split = "train";   ///< the split those frames come from
  speech::KmeansOptions kmeans;      ///< clusters, iterations, tolerance, seed
};

// Features of one utterance's audio: [frames, dim] float32 with frames = the options' frame
// count of its samples.
using FrameFeatures = std::function<at::Tensor(const std::vector<float>& audio)>;

// The labels of every utterance of `reader`'s corpus (`labels.corpus` = its path). Progress
// goes to `log`. Throws ConfigError when the fitting split has fewer frames than clusters.
io::SpeechLabels make_speech_labels(const io::SpeechReader& reader, const FrameFeatures& extract,
                                    const SpeechLabelOptions& options, Communicator& comm,
                                    Logger& log);

}  // namespace neuroscale::distributed
