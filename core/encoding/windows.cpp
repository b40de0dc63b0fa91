#include "core/encoding/windows.h"

#include <algorithm>

#include "core/check.h"

namespace neuroscale::encoding {

FeatureWindows feature_windows(std::int64_t samples, const WindowOptions& options) {
  NS_CHECK_AS(UsageError, options.sample_rate() > 0,
              "feature windows: sample rate must be positive, got ", options.sample_rate());
  const auto rate = static_cast<double>(options.sample_rate());
  const auto stride = static_cast<std::int64_t>(options.stride_seconds() * rate);
  const auto context = static_cast<std::int64_t>(options.context_seconds() * rate);
  NS_CHECK_AS(UsageError, stride > 0, "feature windows: the stride (", options.stride_seconds(),
              " s) is shorter than one sample");
  NS_CHECK_AS(UsageError, context >= 0, "feature windows: negative context (",
              options.context_seconds(), " s)");
  NS_CHECK_AS(UsageError, samples >= 0, "feature windows: negative audio length ", samples);

  // The reference builds the ends in two pieces: stride, 2*stride, ... below context+stride
  // (shorter early windows), then every full window of the sliding unfold, which ends at
  // context+stride + j*stride <= samples. Both are the multiples of the stride, so one loop
  // covers them. (For audio shorter than one full window the reference also emits early
  // windows past the end of the audio, whose slices are silently cut; those are left out.)
  const std::int64_t full = context + stride;
  FeatureWindows out;
  std::vector<double> times;
  for (std::int64_t end = stride; end <= samples; end += stride) {
    const SampleSpan span{std::max<std::int64_t>(0, end - full), end};
    if (span.length() < options.min_input_length()) continue;
    out.spans.push_back(span);
    times.push_back(static_cast<double>(end) / rate);
  }
  NS_CHECK_AS(UsageError, !out.spans.empty(), "feature windows: audio of ", samples,
              " samples is too short for one window of at least ", options.min_input_length(),
              " samples ending at a stride of ", stride, " samples");
  out.end_times = at::tensor(times, at::kDouble);
  return out;
}

}  // namespace neuroscale::encoding
