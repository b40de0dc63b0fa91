// A speech model's layer features of an fMRI corpus' stories at their TR times, computed
// once across the ranks: story k is extracted by rank k % ranks (16 s causal windows, see
// core/encoding/speech_features.h), Lanczos-downsampled to its TR times, then summed over the
// ranks so every rank holds every story's features. Collective: every rank calls it with the
// same stories.
#pragma once

#include <ATen/ATen.h>

#include <map>
#include <string>
#include <vector>

#include "core/encoding/speech_features.h"
#include "core/log.h"
#include "core/model/wav2vec2.h"
#include "distributed/communicator.h"
#include "io/fmri/fmri_reader.h"

namespace neuroscale::distributed {

// story -> [layers of `options`, TR rows of the story, hidden] float32 on the CPU. Progress
// (windows of this rank's stories) goes to `log`.
std::map<std::string, at::Tensor> story_features(const io::FmriReader& reader,
                                                 const std::vector<std::string>& stories,
                                                 model::Wav2Vec2ModelImpl& backbone,
                                                 const encoding::SpeechFeatureOptions& options,
                                                 Communicator& comm, const at::Device& device,
                                                 Logger& log);

// Sums `tensor` (CPU) over the ranks in place, through `device` (each rank filled its own
// part, zeros elsewhere). Collective.
void sum_over_ranks(Communicator& comm, const at::Device& device, at::Tensor& tensor);

}  // namespace neuroscale::distributed
