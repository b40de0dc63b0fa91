#include "core/encoding/lanczos.h"

#include <cmath>

#include "core/check.h"

namespace neuroscale::encoding {
namespace {

constexpr double kPi = 3.14159265358979323846;

}  // namespace

at::Tensor lanczos_kernel(const at::Tensor& x, std::int64_t window) {
  NS_CHECK_AS(UsageError, window > 0, "lanczos: the window must be at least one lobe, got ",
              window);
  const auto t = x.to(at::kDouble);
  const auto w = static_cast<double>(window);
  auto value = w * at::sin(kPi * t) * at::sin(kPi * t / w) / (kPi * kPi * t * t);
  // The reference sets these after the division, in this order: 1 at 0 (0/0 there), then 0
  // beyond the window.
  value = at::where(t == 0, at::ones_like(value), value);
  return at::where(t.abs() > w, at::zeros_like(value), value);
}

at::Tensor lanczos_interp2d(const at::Tensor& data, const at::Tensor& old_times,
                            const at::Tensor& new_times, std::int64_t window, double cutoff_mult) {
  NS_CHECK_AS(UsageError, data.dim() == 2, "lanczos: data must be [n, K], got ", data.sizes());
  NS_CHECK_AS(UsageError, old_times.dim() == 1 && old_times.size(0) == data.size(0),
              "lanczos: old_times must be [", data.size(0), "] (one per data row), got ",
              old_times.sizes());
  NS_CHECK_AS(UsageError, new_times.dim() == 1 && new_times.size(0) >= 2,
              "lanczos: new_times must be 1-D with at least 2 entries, got ", new_times.sizes());
  const auto old_t = old_times.to(at::kDouble);
  const auto new_t = new_times.to(at::kDouble);
  // mean(diff(new_times)) telescopes to (last - first) / (m - 1); written as the reference
  // writes it so the two agree to the last bit.
  const double mean_step = (new_t.slice(0, 1) - new_t.slice(0, 0, -1)).mean().item<double>();
  NS_CHECK_AS(UsageError, mean_step > 0, "lanczos: new_times must increase on average, mean step ",
              mean_step);
  const double cutoff = 1.0 / mean_step * cutoff_mult;
  // The reference builds the [m, n] kernel matrix row by row as lanczosfun(cutoff, new -
  // old): ((new - old) * cutoff) -> kernel.
  const auto kernel = lanczos_kernel((new_t.unsqueeze(1) - old_t.unsqueeze(0)) * cutoff, window);
  return kernel.mm(data.to(at::kDouble));
}

}  // namespace neuroscale::encoding
