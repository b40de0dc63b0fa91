#include "io/fmri/stimulus_window.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace neuroscale::io {

std::int64_t window_samples(double window_s, double sample_rate) {
  NS_CHECK_AS(DataError, window_s > 0 && sample_rate > 0, "stimulus window of ", window_s, " s at ",
              sample_rate, " Hz (expected both > 0)");
  return static_cast<std::int64_t>(std::llround(window_s * sample_rate));
}

std::int64_t stimulus_end_sample(const FmriStory& story, std::int64_t row, double tr_s,
                                 double sample_rate) {
  NS_CHECK_AS(DataError, row >= 0 && row < story.rows(), "story '", story.name, "': row ", row,
              " is outside its ", story.rows(), " response rows");
  // Reference: t = tr_times + 1 (end of a 2 s TR), clip end = 16000 * int(t).
  const double end_s = std::trunc(story.tr_times[static_cast<std::size_t>(row)] + tr_s / 2.0);
  return static_cast<std::int64_t>(std::llround(sample_rate * end_s));
}

at::Tensor stimulus_window(const at::Tensor& audio, std::int64_t end_sample,
                           std::int64_t window_samples) {
  NS_CHECK_AS(DataError, audio.dim() == 1, "stimulus audio should be [samples], has ", audio.dim(),
              " dimensions");
  NS_CHECK_AS(DataError, window_samples > 0, "stimulus window of ", window_samples,
              " samples (expected > 0)");
  at::Tensor window = at::zeros({window_samples}, audio.options().dtype(at::kFloat));
  const std::int64_t start = end_sample - window_samples;
  const std::int64_t first = std::max<std::int64_t>(start, 0);
  const std::int64_t last = std::min<std::int64_t>(end_sample, audio.size(0));
  if (last > first) {
    window.narrow(0, first - start, last - first).copy_(audio.narrow(0, first, last - first));
  }
  return window;
}

at::Tensor stimulus_windows(const at::Tensor& audio, const FmriStory& story,
                            const std::vector<std::int64_t>& rows, double tr_s, double sample_rate,
                            std::int64_t window_samples) {
  at::Tensor batch = at::zeros({static_cast<std::int64_t>(rows.size()), window_samples},
                               audio.options().dtype(at::kFloat));
  for (std::size_t b = 0; b < rows.size(); ++b) {
    const std::int64_t end = stimulus_end_sample(story, rows[b], tr_s, sample_rate);
    batch[static_cast<std::int64_t>(b)].copy_(stimulus_window(audio, end, window_samples));
  }
  return batch;
}

}  // namespace neuroscale::io
