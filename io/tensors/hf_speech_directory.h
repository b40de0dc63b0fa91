// A Hugging Face wav2vec2 / HuBERT model directory (what `neuroscale speech export` writes and
// what people download: config.json, preprocessor_config.json, model.safetensors) read into
// the backbone's size and the waveform normalisation its feature extractor applies, so a job
// can build the backbone (core/model/wav2vec2.h) and load its weights
// (io/tensors/speech_checkpoint.h) from the directory alone.
#pragma once

#include <string>

#include "core/model/wav2vec2_options.h"

namespace neuroscale::io {

struct HfSpeechDirectory {
  std::string directory;
  std::string model_type;          ///< "hubert" or "wav2vec2"
  model::Wav2Vec2Options options;  ///< the backbone's size from config.json (no LoRA)
  bool normalize = true;           ///< preprocessor_config.json's do_normalize
  double sampling_rate = 16000;    ///< preprocessor_config.json's sampling_rate
  std::string weights;             ///< directory/model.safetensors
};

// Reads `directory`. config.json must describe the post-norm backbone the engine implements:
// model_type hubert or wav2vec2, do_stable_layer_norm false, feat_extract_norm group, GELU
// activations, no convolution bias, one conv_dim for every convolution; anything else is
// refused with one line naming the file, the field and its value. preprocessor_config.json
// is optional (transformers' defaults: do_normalize true, 16 kHz). Throws DataError.
HfSpeechDirectory read_hf_speech_directory(const std::string& directory);

}  // namespace neuroscale::io
