// The speech backbone an analysis reads (`speech probe`, `speech labels --model`): a Hugging
// Face wav2vec2 / HuBERT directory's architecture (io/tensors/hf_speech_directory.h) with
// its weights, with the engine's random initialisation from a seed (the baseline a probe
// compares against), or with a brain-tuning run's adapters over its weights (the probe after
// tuning); and the hidden states of one utterance.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/model/wav2vec2.h"
#include "io/tensors/hf_speech_directory.h"

namespace neuroscale::jobs {

struct BrainModel;

struct SpeechBackbone {
  io::HfSpeechDirectory source;
  model::Wav2Vec2Model model{nullptr};
  std::shared_ptr<BrainModel> tuned;  ///< the brain-tuning model `model` belongs to, if any
  /// "weights of DIR/model.safetensors (bytes, xxh64)" or "random initialisation (seed S)"
  std::string weights;

  // Hidden states 0..last_layer of one utterance's 16 kHz audio (normalised first when the
  // directory's feature extractor normalises): each [frames, hidden] float32, frames =
  // model->frames(audio.size()). Throws UsageError when last_layer exceeds the layers.
  std::vector<at::Tensor> hidden_states(const std::vector<float>& audio, std::int64_t last_layer);
};

// Builds the backbone of `directory`; with `random_seed`, leaves its weights as initialised
// after seeding LibTorch's generator with it instead of loading them. Logs what it loaded.
SpeechBackbone load_speech_backbone(const std::string& directory,
                                    std::optional<std::uint64_t> random_seed, Logger& log);

// The backbone of the brain-tuning run `run` (a run directory or checkpoint; its newest
// verified one): the run's model rebuilt from its config.yaml over its base weights, its
// adapters loaded, in eval mode (adapters active, no dropout); `directory` gives the audio
// preprocessing and must describe the same architecture. The run's corpus (data.corpus)
// gives the head's voxel count. Throws ConfigError when the run's base weights are not
// `directory`'s architecture, DataError naming a missing corpus or weights file.
SpeechBackbone load_brain_tuned_backbone(const std::string& directory, const std::string& run,
                                         Logger& log);

}  // namespace neuroscale::jobs
