// Writing a pretrained HuBERT backbone as a Hugging Face HubertModel directory that
// transformers' HubertModel / AutoModel loads unchanged and `braintune` reads as
// model.base_weights: config.json (HubertConfig of the backbone's size), preprocessor_config.json
// (Wav2Vec2FeatureExtractor at 16 kHz, do_normalize as trained) and model.safetensors (the
// backbone under HubertModel's keys, masked_spec_embed included, the positional convolution's
// weight norm as parametrizations.weight.original0/1, float32). The prediction head
// (final_proj, label_embs) is not part of HubertModel and is left out.
#pragma once

#include <string>

#include "core/model/hubert.h"

namespace neuroscale::io {

// Replaces `directory` as a unit (io/fs/directory_swap.h). Throws DataError naming the path.
void write_hf_hubert(const std::string& directory, model::HubertPretrainingImpl& model,
                     bool normalize_audio);

// config.json of the backbone (model_type hubert, architectures [HubertModel]).
std::string hf_hubert_config_json(const model::Wav2Vec2Options& options);

}  // namespace neuroscale::io
