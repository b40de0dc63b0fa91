#include "core/encoding/design.h"

#include "core/check.h"

namespace neuroscale::encoding {

at::Tensor zscore_columns(const at::Tensor& x) {
  NS_CHECK_AS(UsageError, x.dim() == 2 && x.size(0) >= 1, "zscore: expected [T >= 1, K], got ",
              x.sizes());
  const auto v = x.to(at::kDouble);
  const auto centered = v - v.mean(0, /*keepdim=*/true);
  const auto scale = (centered * centered).mean(0, /*keepdim=*/true).sqrt();
  // "All values equal" is tested exactly (max == min), not as std == 0: the mean of equal
  // values can round away from them, leaving a std of 1e-17 that would blow up noise.
  const auto constant = (std::get<0>(v.max(0, true)) == std::get<0>(v.min(0, true)));
  return at::where(constant, at::zeros_like(centered), centered / scale);
}

at::Tensor make_delayed(const at::Tensor& x, const std::vector<std::int64_t>& delays) {
  NS_CHECK_AS(UsageError, x.dim() == 2, "make_delayed: expected [T, K], got ", x.sizes());
  NS_CHECK_AS(UsageError, !delays.empty(), "make_delayed: no delays given");
  const std::int64_t rows = x.size(0);
  const std::int64_t width = x.size(1);
  auto out = at::zeros({rows, width * static_cast<std::int64_t>(delays.size())}, x.options());
  for (std::size_t i = 0; i < delays.size(); ++i) {
    const std::int64_t d = delays[i];
    auto block = out.slice(1, static_cast<std::int64_t>(i) * width,
                           static_cast<std::int64_t>(i + 1) * width);
    if (d >= rows || -d >= rows) continue;  // shifted entirely out: zeros
    if (d >= 0) {
      block.slice(0, d, rows).copy_(x.slice(0, 0, rows - d));
    } else {
      block.slice(0, 0, rows + d).copy_(x.slice(0, -d, rows));
    }
  }
  return out;
}

}  // namespace neuroscale::encoding
