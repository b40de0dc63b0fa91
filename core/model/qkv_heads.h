// The fused q/k/v projection split into heads, with rotary embeddings applied to the query
// and key, in one pass each way. Written as view -> permute -> unbind -> apply_rotary, this
// is eight elementwise passes forward (two products, a negation, a concatenation and an
// addcmul per rotated part, then the copies that batched matmul needs for the permuted
// layout) and as many backward; on the CPU they took about 7% of a default BIT step.
// float32/float64 CPU tensors take the fused kernels; anything else (bf16 autocast, CUDA)
// takes the composite path, which computes the same values.
#pragma once

#include <ATen/ATen.h>

#include "core/model/rotary.h"

namespace neuroscale::model {

struct QkvHeads {
  at::Tensor query;  ///< [B, H, N, hd], rotated by the query tables
  at::Tensor key;    ///< [B, H, N, hd], rotated by the key tables
  at::Tensor value;  ///< [B, H, N, hd]
};

// projected [B, N, 3 * d]: per token the query, key and value features in that order, each
// `heads` heads of d / heads features (the layout of SelfAttention's qkv weight). Tables
// are [N, d / heads] (rotary_tables). Outputs are contiguous on the fused path, and
// differentiable with respect to `projected`.
QkvHeads split_qkv_heads(const at::Tensor& projected, std::int64_t heads,
                         const RotaryTables& query_tables, const RotaryTables& key_tables);

// The composite form, kept as the reference for the fused kernels (tests) and for devices
// and dtypes they do not cover.
QkvHeads split_qkv_heads_composite(const at::Tensor& projected, std::int64_t heads,
                                   const RotaryTables& query_tables,
                                   const RotaryTables& key_tables);

}  // namespace neuroscale::model
