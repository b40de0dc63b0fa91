#include "core/model/augment.h"

#include <cmath>

#include "core/check.h"

namespace neuroscale::model {

at::Tensor gaussian_kernel(double sd) {
  NS_CHECK_AS(UsageError, sd > 0.0, "smoothing sd must be positive, got ", sd);
  const auto half = static_cast<std::int64_t>(std::ceil(3.0 * sd));
  const auto x = at::arange(-half, half + 1, at::kDouble);
  const auto kernel = at::exp(-(x * x) / (2.0 * sd * sd));
  return (kernel / kernel.sum()).to(at::kFloat);
}

at::Tensor augment(const at::Tensor& features, const at::Tensor& bins,
                   const AugmentOptions& options, bool training) {
  NS_CHECK_AS(UsageError,
              options.smooth_sd() >= 0.0 && options.white_noise() >= 0.0 &&
                  options.constant_offset() >= 0.0,
              "augmentation sds must be non-negative");
  const bool noise = training && (options.white_noise() > 0.0 || options.constant_offset() > 0.0);
  if (options.smooth_sd() == 0.0 && !noise) return features;

  const auto batch = features.size(0), time = features.size(1), channels = features.size(2);
  const auto valid =
      (at::arange(time, bins.options().dtype(at::kLong).device(features.device())).view({1, time}) <
       bins.to(features.device()).view({batch, 1}))
          .unsqueeze(-1)
          .to(features.scalar_type());
  auto out = features;
  if (options.smooth_sd() > 0.0) {
    const auto kernel =
        gaussian_kernel(options.smooth_sd()).to(features.options()).view({1, 1, -1});
    const auto padding = kernel.size(2) / 2;
    // [B, T, C] -> [B*C, 1, T]: one depthwise pass over time with zero ("same") padding.
    auto rows = (out * valid).permute({0, 2, 1}).reshape({batch * channels, 1, time});
    out = at::conv1d(rows, kernel, {}, 1, padding).view({batch, channels, time}).permute({0, 2, 1});
  }
  if (noise) {
    auto disturbance = at::zeros_like(out);
    if (options.white_noise() > 0.0) disturbance.add_(at::randn_like(out), options.white_noise());
    if (options.constant_offset() > 0.0) {
      disturbance.add_(at::randn({batch, 1, channels}, out.options()), options.constant_offset());
    }
    out = out + disturbance;
  }
  return out * valid;
}

}  // namespace neuroscale::model
