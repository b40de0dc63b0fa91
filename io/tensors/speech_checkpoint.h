// Loads a Hugging Face wav2vec2 / HuBERT checkpoint (model.safetensors) into the speech
// backbone (core/model/wav2vec2.h), and reads the backbone size a checkpoint implies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/wav2vec2.h"

namespace neuroscale::io {

// What a load did, for the run's record of which base weights it used.
struct SpeechCheckpointSummary {
  std::string path;
  /// "wav2vec2." (Wav2Vec2ForCTC / ForPreTraining), "hubert." (HubertForCTC) or "" (a bare
  /// Wav2Vec2Model / HubertModel)
  std::string prefix;
  /// how the positional convolution's weight norm is stored: "weight_g/weight_v" (torch <
  /// 2.1) or "parametrizations.weight.original0/1" (torch >= 2.1)
  std::string weight_norm;
  std::size_t tensors_loaded = 0;    ///< backbone parameters set from the file
  std::int64_t values_loaded = 0;    ///< their element count
  std::vector<std::string> ignored;  ///< keys of the file outside the backbone, in file order
  std::uint64_t bytes = 0;           ///< the file's size
  std::uint64_t xxh64 = 0;           ///< the file's XXH64 (io/hash/xxhash64.h)
};

// The backbone size the shapes of `path` imply: conv_dim, conv_kernels, hidden, layers,
// intermediate, pos_conv_kernel, pos_conv_groups and feat_proj_layer_norm from the file;
// the fields shapes cannot show (heads, conv_strides, layer_norm_eps, lora) from `given`.
// Throws DataError naming the file when it holds no wav2vec2 / HuBERT backbone.
model::Wav2Vec2Options speech_checkpoint_options(
    const std::string& path, const model::Wav2Vec2Options& given = model::Wav2Vec2Options::base());

// Sets every non-LoRA parameter of `model` from `path` (adapters keep their initial values;
// F16 / BF16 / F64 tensors are converted to the parameter's dtype). The prefix is detected
// and stripped; both weight-norm conventions are accepted; keys outside the backbone
// (lm_head.*, masked_spec_embed, quantizer.*, project_q.*, final_proj.*, ...) are skipped
// and listed in the summary. Everything is checked before any parameter is written: a
// backbone parameter missing from the file, a backbone key the model lacks, or a shape
// mismatch throws DataError naming the file, the key and both shapes; when the file implies
// another size, the message names the Wav2Vec2Options field that differs.
SpeechCheckpointSummary load_speech_checkpoint(const std::string& path,
                                               model::Wav2Vec2ModelImpl& model);

}  // namespace neuroscale::io
