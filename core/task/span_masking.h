// Span masking for masked time-patch modelling. Per step one span length s ~ U{1..max_span}
// tokens (the BIT reference draws one per batch, `max_timespan` 15). Per trial with n real tokens
// the target is k = floor(ratio * n + 0.5) masked tokens; spans of length min(s, n) start uniformly
// in [0, n - len], so they never touch padding; tokens already masked do not count again, and the
// last span is cut so exactly k are masked. (The reference draws int(ratio / s * n) overlapping
// spans, so its fraction falls below the ratio; here it is the ratio.) If 8n spans have not reached
// k (vanishingly rare), the first unmasked tokens fill the rest. The random streams are explicit:
// the span length comes from the step's stream and each trial's spans from its own, so a trial's
// mask does not depend on which micro-batch, rank or accumulation slot it lands in.
#pragma once

#include <ATen/ATen.h>

#include <torch/arg.h>

#include <vector>

#include "core/random.h"

namespace neuroscale::task {

struct SpanMaskOptions {
  /// fraction of each trial's real tokens to mask, in [0, 1]
  TORCH_ARG(double, ratio) = 0.5;
  /// longest span in tokens (>= 1)
  TORCH_ARG(std::int64_t, max_span) = 15;
};

// The step's span length, drawn from `step_rng`.
std::int64_t draw_span(const SpanMaskOptions& options, Rng& step_rng);

// `valid_tokens` [B] int64 (CPU) real tokens per trial, each <= `tokens`; `trial_rngs` one
// stream per trial. Returns [B, tokens] bool on the CPU, true = masked.
at::Tensor span_mask(const at::Tensor& valid_tokens, std::int64_t tokens, std::int64_t span,
                     const SpanMaskOptions& options, std::vector<Rng>& trial_rngs);

// The mask of a step's micro-batch with the streams keyed as every task keys them: the span
// length by (seed, stream, step), each trial's spans by (seed, stream, step, trial id). So a
// trial's mask depends only on the step and the trial, not on batching or ranks.
at::Tensor step_span_mask(const at::Tensor& valid_tokens, std::int64_t tokens,
                          const std::vector<std::int64_t>& trials, std::int64_t step,
                          std::uint64_t seed, std::uint64_t stream, const SpanMaskOptions& options);

}  // namespace neuroscale::task
