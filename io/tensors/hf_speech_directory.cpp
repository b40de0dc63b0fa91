#include "io/tensors/hf_speech_directory.h"

#include <algorithm>

#include "core/check.h"
#include "io/config/json_fields.h"
#include "io/fs/files.h"

namespace neuroscale::io {

HfSpeechDirectory read_hf_speech_directory(const std::string& directory) {
  HfSpeechDirectory result;
  result.directory = directory;
  const std::string config_path = directory + "/config.json";
  NS_CHECK_AS(DataError, path_exists(config_path), "'", directory,
              "' is not a Hugging Face model directory: it has no config.json");
  result.weights = directory + "/model.safetensors";
  NS_CHECK_AS(DataError, path_exists(result.weights), "'", directory,
              "' has no model.safetensors (sharded or .bin checkpoints are not read)");
  const nlohmann::json config =
      read_json_object(config_path, "a Hugging Face wav2vec2 / HuBERT config.json");
  try {
    const JsonFields f(config, config_path);
    result.model_type = f.text_or("model_type", "");
    f.refuse_unless(result.model_type == "hubert" || result.model_type == "wav2vec2", "model_type",
                    "the backbone is wav2vec2 / HuBERT (model_type hubert or wav2vec2)");
    f.refuse_unless(!f.flag_or("do_stable_layer_norm", false), "do_stable_layer_norm",
                    "the backbone is the post-norm (base) variant");
    f.refuse_unless(f.text_or("feat_extract_norm", "group") == "group", "feat_extract_norm",
                    "the first convolution has a GroupNorm, the others none");
    f.refuse_unless(f.text_or("hidden_act", "gelu") == "gelu", "hidden_act",
                    "the feed-forward activation is GELU");
    f.refuse_unless(f.text_or("feat_extract_activation", "gelu") == "gelu",
                    "feat_extract_activation", "the convolutions' activation is GELU");
    f.refuse_unless(!f.flag_or("conv_bias", false), "conv_bias",
                    "the feature-encoder convolutions have no bias");
    const auto conv_dim = f.integers("conv_dim");
    const auto kernels = f.integers("conv_kernel");
    const auto strides = f.integers("conv_stride");
    f.refuse_unless(!conv_dim.empty() && std::all_of(conv_dim.begin(), conv_dim.end(),
                                                     [&](auto c) { return c == conv_dim[0]; }),
                    "conv_dim", "every convolution has the same number of channels");
    f.refuse_unless(kernels.size() == conv_dim.size() && strides.size() == conv_dim.size(),
                    "conv_kernel",
                    "conv_dim, conv_kernel and conv_stride list one value per "
                    "convolution");
    result.options.conv_dim(conv_dim[0])
        .conv_kernels(kernels)
        .conv_strides(strides)
        .hidden(f.integer("hidden_size"))
        .layers(f.integer("num_hidden_layers"))
        .heads(f.integer("num_attention_heads"))
        .intermediate(f.integer("intermediate_size"))
        .pos_conv_kernel(f.integer("num_conv_pos_embeddings"))
        .pos_conv_groups(f.integer("num_conv_pos_embedding_groups"))
        .layer_norm_eps(f.number_or("layer_norm_eps", 1e-5))
        // wav2vec2 always normalises before the projection; HuBERT only with the flag.
        .feat_proj_layer_norm(result.model_type == "wav2vec2" ||
                              f.flag_or("feat_proj_layer_norm", true));
  } catch (const nlohmann::json::exception& error) {
    NS_THROW(DataError, "'", config_path, "': malformed field: ", error.what());
  }
  try {
    result.options.validate();
  } catch (const ConfigError& error) {
    NS_THROW(DataError, "'", config_path, "': ", error.what());
  }
  const std::string preprocessor_path = directory + "/preprocessor_config.json";
  if (path_exists(preprocessor_path)) {
    const nlohmann::json preprocessor =
        read_json_object(preprocessor_path, "a Hugging Face preprocessor_config.json");
    const JsonFields f(preprocessor, preprocessor_path);
    result.normalize = f.flag_or("do_normalize", true);
    result.sampling_rate = f.number_or("sampling_rate", 16000);
  }
  return result;
}

}  // namespace neuroscale::io
