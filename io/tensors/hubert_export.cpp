#include "io/tensors/hubert_export.h"

#include <nlohmann/json.hpp>

#include "core/model/lora.h"
#include "io/fs/directory_swap.h"
#include "io/fs/files.h"
#include "io/tensors/safetensors.h"

namespace neuroscale::io {

std::string hf_hubert_config_json(const model::Wav2Vec2Options& o) {
  nlohmann::ordered_json c;
  c["architectures"] = {"HubertModel"};
  c["model_type"] = "hubert";
  c["hidden_size"] = o.hidden();
  c["num_hidden_layers"] = o.layers();
  c["num_attention_heads"] = o.heads();
  c["intermediate_size"] = o.intermediate();
  c["hidden_act"] = "gelu";
  c["conv_dim"] = std::vector<std::int64_t>(o.conv_kernels().size(), o.conv_dim());
  c["conv_kernel"] = o.conv_kernels();
  c["conv_stride"] = o.conv_strides();
  c["conv_bias"] = false;
  c["feat_extract_norm"] = "group";
  c["feat_extract_activation"] = "gelu";
  c["feat_proj_layer_norm"] = o.feat_proj_layer_norm();
  c["do_stable_layer_norm"] = false;
  c["num_conv_pos_embeddings"] = o.pos_conv_kernel();
  c["num_conv_pos_embedding_groups"] = o.pos_conv_groups();
  c["layer_norm_eps"] = o.layer_norm_eps();
  // The engine trains without dropout or LayerDrop; fine-tuning may set them.
  c["hidden_dropout"] = 0.0;
  c["activation_dropout"] = 0.0;
  c["attention_dropout"] = 0.0;
  c["feat_proj_dropout"] = 0.0;
  c["final_dropout"] = 0.0;
  c["layerdrop"] = 0.0;
  c["apply_spec_augment"] = false;
  c["vocab_size"] = 32;
  return c.dump(2) + "\n";
}

void write_hf_hubert(const std::string& directory, model::HubertPretrainingImpl& model,
                     bool normalize_audio) {
  NamedTensors tensors;
  for (const auto& item : model.hubert->named_parameters()) {
    if (model::is_lora_parameter(item.key())) continue;
    std::string name = item.key();
    for (const auto& [from, to] :
         {std::pair<std::string, std::string>{".weight_g", ".parametrizations.weight.original0"},
          {".weight_v", ".parametrizations.weight.original1"}}) {
      if (name.size() > from.size() &&
          name.compare(name.size() - from.size(), from.size(), from) == 0) {
        name = name.substr(0, name.size() - from.size()) + to;
      }
    }
    tensors.emplace_back(name, item.value().detach().to(at::kCPU, at::kFloat).contiguous());
  }
  nlohmann::ordered_json preprocessor;
  preprocessor["feature_extractor_type"] = "Wav2Vec2FeatureExtractor";
  preprocessor["feature_size"] = 1;
  preprocessor["sampling_rate"] = 16000;
  preprocessor["padding_value"] = 0.0;
  preprocessor["padding_side"] = "right";
  preprocessor["do_normalize"] = normalize_audio;
  preprocessor["return_attention_mask"] = false;
  const std::string config = hf_hubert_config_json(model.options.backbone());
  write_directory_atomically(directory, [&](const std::string& temporary) {
    write_file_atomically(temporary + "/config.json", config);
    write_file_atomically(temporary + "/preprocessor_config.json", preprocessor.dump(2) + "\n");
    write_safetensors(temporary + "/model.safetensors", tensors, {{"format", "pt"}});
  });
}

}  // namespace neuroscale::io
