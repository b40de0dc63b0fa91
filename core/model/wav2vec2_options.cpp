#include "core/model/wav2vec2_options.h"

#include "core/check.h"

namespace neuroscale::model {

Wav2Vec2Options Wav2Vec2Options::base() { return Wav2Vec2Options(); }

Wav2Vec2Options Wav2Vec2Options::tiny() {
  return Wav2Vec2Options()
      .conv_dim(32)
      .hidden(32)
      .layers(2)
      .heads(2)
      .intermediate(64)
      .pos_conv_kernel(16)
      .pos_conv_groups(4);
}

void Wav2Vec2Options::validate() const {
  NS_CHECK_AS(ConfigError, conv_dim() > 0, "wav2vec2 conv_dim must be > 0, got ", conv_dim());
  NS_CHECK_AS(ConfigError, !conv_kernels().empty(), "wav2vec2 conv_kernels must not be empty");
  NS_CHECK_AS(ConfigError, conv_kernels().size() == conv_strides().size(),
              "wav2vec2 conv_kernels and conv_strides must have one entry per convolution (",
              conv_kernels().size(), " vs ", conv_strides().size(), ")");
  for (std::size_t i = 0; i < conv_kernels().size(); ++i) {
    NS_CHECK_AS(ConfigError, conv_kernels()[i] > 0 && conv_strides()[i] > 0,
                "wav2vec2 conv_kernels[", i, "] and conv_strides[", i, "] must be > 0, got ",
                conv_kernels()[i], " and ", conv_strides()[i]);
  }
  NS_CHECK_AS(ConfigError, hidden() > 0, "wav2vec2 hidden must be > 0, got ", hidden());
  NS_CHECK_AS(ConfigError, layers() >= 1, "wav2vec2 layers must be >= 1, got ", layers());
  NS_CHECK_AS(ConfigError, heads() >= 1 && hidden() % heads() == 0, "wav2vec2 hidden (", hidden(),
              ") must be divisible by heads (", heads(), ")");
  NS_CHECK_AS(ConfigError, intermediate() > 0, "wav2vec2 intermediate must be > 0, got ",
              intermediate());
  NS_CHECK_AS(ConfigError, pos_conv_kernel() >= 1, "wav2vec2 pos_conv_kernel must be >= 1, got ",
              pos_conv_kernel());
  NS_CHECK_AS(ConfigError, pos_conv_groups() >= 1 && hidden() % pos_conv_groups() == 0,
              "wav2vec2 hidden (", hidden(), ") must be divisible by pos_conv_groups (",
              pos_conv_groups(), ")");
  NS_CHECK_AS(ConfigError, layer_norm_eps() > 0.0, "wav2vec2 layer_norm_eps must be > 0, got ",
              layer_norm_eps());
  lora().validate();
}

std::int64_t Wav2Vec2Options::receptive_field() const {
  std::int64_t field = 1;
  for (std::size_t i = conv_kernels().size(); i-- > 0;) {
    field = (field - 1) * conv_strides()[i] + conv_kernels()[i];
  }
  return field;
}

std::int64_t Wav2Vec2Options::total_stride() const {
  std::int64_t stride = 1;
  for (const auto s : conv_strides()) stride *= s;
  return stride;
}

std::int64_t Wav2Vec2Options::frames(std::int64_t samples) const {
  NS_CHECK_AS(UsageError, samples >= receptive_field(), "wav2vec2 input of ", samples,
              " samples is shorter than the feature encoder's receptive field (", receptive_field(),
              " samples) and gives no frame");
  std::int64_t n = samples;
  for (std::size_t i = 0; i < conv_kernels().size(); ++i) {
    n = (n - conv_kernels()[i]) / conv_strides()[i] + 1;
  }
  return n;
}

}  // namespace neuroscale::model
