// Span masking for masked time-patch modelling. Per batch one span length s ~ U{1..max_span}
// tokens (the BIT reference's `max_timespan` 15). Per trial with n real tokens the target is
// k = floor(ratio * n + 0.5) masked tokens; spans of length min(s, n) start uniformly in
// [0, n - len], so they never touch padding; tokens already masked do not count again, and
// the last span is cut so exactly k are masked. (The reference draws int(ratio / s * n)
// overlapping spans, so its fraction falls below the ratio; here it is the ratio.) If 8n
// spans have not reached k (vanishingly rare), the first unmasked tokens fill the rest.
// The random stream is explicit: the same Rng state gives the same mask.
#pragma once

#include <ATen/ATen.h>

#include <torch/arg.h>

#include "core/random.h"

namespace neuroscale::task {

struct SpanMaskOptions {
  /// fraction of each trial's real tokens to mask, in [0, 1]
  TORCH_ARG(double, ratio) = 0.5;
  /// longest span in tokens (>= 1)
  TORCH_ARG(std::int64_t, max_span) = 15;
};

// `valid_tokens` [B] int64 (CPU) real tokens per trial, each <= `tokens`. Returns [B, tokens]
// bool on the CPU, true = masked.
at::Tensor span_mask(const at::Tensor& valid_tokens, std::int64_t tokens,
                     const SpanMaskOptions& options, Rng& rng);

}  // namespace neuroscale::task
