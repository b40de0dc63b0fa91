// Time patching: features [B, T, C] become tokens [B, N, P*C] of P consecutive bins each,
// time-major inside a token (bin 0's C channels, then bin 1's, ...), so the reshape is a
// view when T is a multiple of P. Trials shorter than the batch are zero beyond their end;
// a token is padding when none of its bins is inside the trial.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>

namespace neuroscale::model {

struct Patched {
  at::Tensor tokens;     ///< [B, N, P*C]
  at::Tensor padding;    ///< [B, N] bool: true where the token has no valid bin
  at::Tensor bin_valid;  ///< [B, N, P] bool: true where the bin is inside the trial
  at::Tensor positions;  ///< [N] int64: bin index of each token's first bin (RoPE time)
  std::int64_t patch_size = 0;
  std::int64_t channels = 0;
};

// `features` [B, T, C] float, `bins` [B] int64 true lengths (1..T). T is zero-padded up to a
// multiple of `patch_size` when needed. Throws UsageError on a bad shape or length.
Patched patchify(const at::Tensor& features, const at::Tensor& bins, std::int64_t patch_size);

// [B, N, P*C] -> [B, N*P, C]: the inverse reshape, for reconstructions.
at::Tensor unpatchify(const at::Tensor& tokens, std::int64_t patch_size, std::int64_t channels);

// Number of non-padding tokens of each trial: ceil(bins / P).
at::Tensor valid_tokens(const at::Tensor& bins, std::int64_t patch_size);

}  // namespace neuroscale::model
