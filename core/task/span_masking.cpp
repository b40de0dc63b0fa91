#include "core/task/span_masking.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace neuroscale::task {

std::int64_t draw_span(const SpanMaskOptions& options, Rng& step_rng) {
  NS_CHECK_AS(UsageError, options.max_span() >= 1, "mask max_span must be >= 1, got ",
              options.max_span());
  return step_rng.uniform_int(1, options.max_span());
}

at::Tensor span_mask(const at::Tensor& valid_tokens, std::int64_t tokens, std::int64_t span,
                     const SpanMaskOptions& options, std::vector<Rng>& trial_rngs) {
  NS_CHECK_AS(UsageError, options.ratio() >= 0.0 && options.ratio() <= 1.0,
              "mask ratio must be in [0, 1], got ", options.ratio());
  NS_CHECK_AS(UsageError, options.max_span() >= 1, "mask max_span must be >= 1, got ",
              options.max_span());
  const auto counts = valid_tokens.to(at::kCPU, at::kLong).contiguous();
  const auto batch = counts.size(0);
  auto mask = at::zeros({batch, tokens}, at::kBool);
  auto* flags = mask.data_ptr<bool>();
  const auto* valid = counts.data_ptr<std::int64_t>();
  NS_CHECK_EQ(static_cast<std::int64_t>(trial_rngs.size()), batch,
              "span_mask needs one stream per trial");
  NS_CHECK_AS(UsageError, span >= 1, "mask span must be >= 1, got ", span);

  for (std::int64_t b = 0; b < batch; ++b) {
    const std::int64_t n = valid[b];
    NS_CHECK_AS(UsageError, n >= 0 && n <= tokens, "trial ", b, " of the batch has ", n,
                " real tokens, outside 0..", tokens);
    bool* row = flags + b * tokens;
    Rng& rng = trial_rngs[b];
    const auto target = static_cast<std::int64_t>(std::floor(options.ratio() * n + 0.5));
    const std::int64_t length = std::min(span, n);
    std::int64_t masked = 0;
    for (std::int64_t draw = 0; masked < target && draw < 8 * n; ++draw) {
      const std::int64_t start = rng.uniform_int(0, n - length);
      for (std::int64_t t = start; t < start + length && masked < target; ++t) {
        if (!row[t]) row[t] = true, ++masked;
      }
    }
    for (std::int64_t t = 0; t < n && masked < target; ++t) {
      if (!row[t]) row[t] = true, ++masked;
    }
  }
  return mask;
}

at::Tensor step_span_mask(const at::Tensor& valid_tokens, std::int64_t tokens,
                          const std::vector<std::int64_t>& trials, std::int64_t step,
                          std::uint64_t seed, std::uint64_t stream,
                          const SpanMaskOptions& options) {
  Rng step_rng(seed, {stream, static_cast<std::uint64_t>(step)});
  const auto span = draw_span(options, step_rng);
  std::vector<Rng> trial_rngs;
  trial_rngs.reserve(trials.size());
  for (const auto trial : trials) {
    trial_rngs.emplace_back(
        seed, std::initializer_list<std::uint64_t>{stream, static_cast<std::uint64_t>(step),
                                                   static_cast<std::uint64_t>(trial)});
  }
  return span_mask(valid_tokens, tokens, span, options, trial_rngs);
}

}  // namespace neuroscale::task
