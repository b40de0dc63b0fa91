// Rotary position embeddings (RoFormer, Su et al. 2021) in the "rotate half" layout: the
// first and second halves of each head's features form the rotated pairs. Positions are
// bin indices (the BIT reference rotates by each patch's first-bin timestamp, theta 1e4).
#pragma once

#include <ATen/ATen.h>

namespace neuroscale::model {

struct RotaryTables {
  at::Tensor cos;  ///< [N, head_dim]
  at::Tensor sin;  ///< [N, head_dim]
};

// Tables for `positions` [N] (any integer or float dtype). `scale` multiplies both tables,
// which folds attention's 1/sqrt(head_dim) into the query rotation for free.
RotaryTables rotary_tables(const at::Tensor& positions, std::int64_t head_dim, double theta,
                           double scale = 1.0);

// x [..., N, head_dim] rotated by the tables (broadcast over leading dimensions).
at::Tensor apply_rotary(const at::Tensor& x, const RotaryTables& tables);

// x [B, T, H, head_dim] (each token's heads side by side, as a projection writes them)
// rotated by per-token tables cos, sin [B, T, head_dim] (no gradient) -> [B, T, H, head_dim],
// differentiable in x. Contiguous float32 CPU tensors take a fused kernel (one pass forward
// and one backward, instead of LibTorch's narrow/neg/cat/mul/add and their backward); the
// rest the LibTorch ops.
at::Tensor rotate_heads(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin);

}  // namespace neuroscale::model
