#include "core/model/patching.h"

#include "core/check.h"

namespace neuroscale::model {

Patched patchify(const at::Tensor& features, const at::Tensor& bins, std::int64_t patch_size) {
  NS_CHECK_AS(UsageError, features.dim() == 3, "patchify: features must be [B, T, C], got ",
              features.dim(), " dimensions");
  NS_CHECK_AS(UsageError, bins.dim() == 1 && bins.size(0) == features.size(0),
              "patchify: bins must be [B] with B = ", features.size(0));
  NS_CHECK_GE(patch_size, 1, "patchify: patch size must be positive");
  const std::int64_t batch = features.size(0), time = features.size(1), channels = features.size(2);
  const auto lengths = bins.to(at::kCPU, at::kLong);
  const std::int64_t shortest = lengths.min().item<std::int64_t>();
  const std::int64_t longest = lengths.max().item<std::int64_t>();
  NS_CHECK_AS(UsageError, shortest >= 1 && longest <= time, "patchify: every trial needs 1..", time,
              " bins, got lengths ", shortest, "..", longest);

  const std::int64_t tokens = (time + patch_size - 1) / patch_size;
  at::Tensor padded = features;
  if (tokens * patch_size != time) {
    padded = at::constant_pad_nd(features, {0, 0, 0, tokens * patch_size - time}, 0.0);
  }
  Patched out;
  out.patch_size = patch_size;
  out.channels = channels;
  out.tokens = padded.reshape({batch, tokens, patch_size * channels});
  const auto options = at::TensorOptions().dtype(at::kLong).device(features.device());
  auto bin_index = at::arange(tokens * patch_size, options).view({1, tokens, patch_size});
  const auto device_bins = bins.to(features.device(), at::kLong).view({batch, 1, 1});
  out.bin_valid = bin_index < device_bins;
  out.padding = out.bin_valid.select(2, 0).logical_not();
  out.positions = at::arange(tokens, options) * patch_size;
  return out;
}

at::Tensor unpatchify(const at::Tensor& tokens, std::int64_t patch_size, std::int64_t channels) {
  NS_CHECK_AS(UsageError, tokens.dim() == 3 && tokens.size(2) == patch_size * channels,
              "unpatchify: tokens must be [B, N, ", patch_size * channels, "]");
  return tokens.reshape({tokens.size(0), tokens.size(1) * patch_size, channels});
}

at::Tensor valid_tokens(const at::Tensor& bins, std::int64_t patch_size) {
  return at::div(bins.to(at::kLong) + (patch_size - 1), patch_size, "floor");
}

}  // namespace neuroscale::model
