#include "core/model/wav2vec2.h"

#include "core/check.h"
#include "core/model/lora.h"

namespace neuroscale::model {

at::Tensor normalize_waveform(const at::Tensor& audio, double eps) {
  NS_CHECK_AS(UsageError, (audio.dim() == 1 || audio.dim() == 2) && audio.is_floating_point(),
              "normalize_waveform expects float audio [B, N] or [N], got ", audio.scalar_type(),
              " ", audio.sizes());
  NS_CHECK_AS(UsageError, audio.size(-1) > 0, "normalize_waveform got an empty waveform");
  const auto mean = audio.mean(-1, /*keepdim=*/true);
  const auto centred = audio - mean;
  const auto variance = centred.square().mean(-1, /*keepdim=*/true);
  return centred / (variance + eps).sqrt();
}

Wav2Vec2ModelImpl::Wav2Vec2ModelImpl(const Wav2Vec2Options& options_) : options(options_) {
  options.validate();
  feature_extractor = register_module("feature_extractor", Wav2Vec2FeatureEncoder(options));
  feature_projection = register_module("feature_projection", Wav2Vec2FeatureProjection(options));
  encoder = register_module("encoder", Wav2Vec2Encoder(options));
}

std::vector<at::Tensor> Wav2Vec2ModelImpl::forward(const at::Tensor& audio,
                                                   std::int64_t last_layer) {
  NS_CHECK_AS(UsageError, audio.dim() == 2 && audio.is_floating_point(),
              "wav2vec2 expects float audio [batch, samples], got ", audio.scalar_type(), " ",
              audio.sizes());
  frames(audio.size(1));  // rejects input shorter than the receptive field, by name
  const auto features = feature_extractor(audio).transpose(1, 2);  // [B, T, conv_dim]
  return encoder(feature_projection(features), last_layer);
}

at::Tensor Wav2Vec2ModelImpl::last_hidden_state(const at::Tensor& audio) {
  return forward(audio).back();
}

std::int64_t Wav2Vec2ModelImpl::freeze_base() { return freeze_all_but_lora(*this); }

std::vector<std::string> Wav2Vec2ModelImpl::lora_parameter_names() const {
  std::vector<std::string> names;
  for (const auto& item : named_parameters()) {
    if (is_lora_parameter(item.key())) names.push_back(item.key());
  }
  return names;
}

}  // namespace neuroscale::model
