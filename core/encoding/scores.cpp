#include "core/encoding/scores.h"

#include <limits>
#include <vector>

#include "core/check.h"
#include "core/encoding/design.h"

namespace neuroscale::encoding {

at::Tensor pearson_columns(const at::Tensor& a, const at::Tensor& b) {
  NS_CHECK_AS(UsageError, a.dim() == 2 && a.sizes() == b.sizes() && a.size(0) >= 2,
              "pearson: expected two [T >= 2, V] tensors of one shape, got ", a.sizes(), " and ",
              b.sizes());
  const auto x = a.to(at::kDouble);
  const auto y = b.to(at::kDouble);
  const auto xc = x - x.mean(0, /*keepdim=*/true);
  const auto yc = y - y.mean(0, /*keepdim=*/true);
  const auto r = (xc * yc).sum(0) / ((xc * xc).sum(0) * (yc * yc).sum(0)).sqrt();
  return at::where(at::isfinite(r), r, at::zeros_like(r));
}

at::Tensor noise_ceiling(const at::Tensor& repeats, const NoiseCeilingOptions& options) {
  NS_CHECK_AS(UsageError, repeats.dim() == 3 && repeats.size(0) >= 2 && repeats.size(1) >= 2,
              "noise ceiling: expected repeats [R >= 2, T >= 2, V], got ", repeats.sizes());
  auto trials = repeats.to(at::kDouble);
  if (options.zscore_repeats()) {
    std::vector<at::Tensor> scored;
    for (std::int64_t i = 0; i < trials.size(0); ++i) scored.push_back(zscore_columns(trials[i]));
    trials = at::stack(scored);
  }
  const auto n = static_cast<double>(trials.size(0));
  const auto t = static_cast<double>(trials.size(1));
  const auto y = trials.mean(0);
  const auto centered = y - y.mean(0, /*keepdim=*/true);
  const auto var_y = (centered * centered).sum(0) / (t - 1.0);  // ddof = 1
  constexpr double kNoisePower = 1.0;                           // TP: z-scored repeats
  const auto signal_power = (n * var_y - kNoisePower) / (n - 1.0);
  const auto cc_max = 1.0 / (1.0 + (kNoisePower / signal_power - 1.0) / n).sqrt();
  return at::where(signal_power > 0, cc_max, at::zeros_like(cc_max));
}

at::Tensor normalised_correlation(const at::Tensor& r, const at::Tensor& cc_max,
                                  double min_cc_max) {
  NS_CHECK_AS(UsageError, r.dim() == 1 && r.sizes() == cc_max.sizes(),
              "normalised correlation: expected r [V] and cc_max [V], got ", r.sizes(), " and ",
              cc_max.sizes());
  const auto ceiling = cc_max.to(at::kDouble);
  const auto nan = at::full_like(ceiling, std::numeric_limits<double>::quiet_NaN());
  return at::where(ceiling > min_cc_max, r.to(at::kDouble) / ceiling, nan);
}

AlignmentSummary summarise_alignment(const at::Tensor& r, const at::Tensor& cc_norm) {
  NS_CHECK_AS(UsageError, r.dim() == 1 && r.sizes() == cc_norm.sizes() && r.numel() >= 1,
              "alignment summary: expected r [V >= 1] and cc_norm [V], got ", r.sizes(), " and ",
              cc_norm.sizes());
  AlignmentSummary out;
  out.voxels = r.numel();
  out.mean_r = r.to(at::kDouble).mean().item<double>();
  const auto norm = cc_norm.to(at::kDouble);
  const auto finite = at::isfinite(norm);
  out.normalised_voxels = finite.sum().item<std::int64_t>();
  out.mean_cc_norm = out.normalised_voxels > 0 ? norm.masked_select(finite).mean().item<double>()
                                               : std::numeric_limits<double>::quiet_NaN();
  return out;
}

at::Tensor test_noise_ceiling(const std::vector<at::Tensor>& repeats,
                              const NoiseCeilingOptions& options) {
  if (repeats.empty()) return {};
  for (const auto& story : repeats) {
    if (!story.defined() || story.size(0) != repeats.front().size(0)) return {};
  }
  return noise_ceiling(at::cat(repeats, 1), options);
}

AlignmentSummary score_alignment(const at::Tensor& r, const at::Tensor& cc_max, double min_cc_max) {
  const auto cc_norm = cc_max.defined()
                           ? normalised_correlation(r, cc_max, min_cc_max)
                           : at::full_like(r, std::numeric_limits<double>::quiet_NaN());
  return summarise_alignment(r, cc_norm);
}

}  // namespace neuroscale::encoding
