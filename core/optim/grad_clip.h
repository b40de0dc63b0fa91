// Gradient clipping by global L2 norm, with PyTorch's semantics
// (torch.nn.utils.clip_grad_norm_): when the norm over all gradients exceeds `max_norm`,
// every gradient is scaled by max_norm / (norm + 1e-6).
#pragma once

#include <ATen/ATen.h>

#include <vector>

namespace neuroscale::optim {

// L2 norm over the defined gradients of `params` (float64; inf or NaN if any is).
double global_grad_norm(const std::vector<at::Tensor>& params);

// Clips in place and returns the norm before clipping. A non-finite norm leaves the
// gradients untouched so the caller can skip the step and report it. max_norm <= 0: no-op.
double clip_grad_norm(const std::vector<at::Tensor>& params, double max_norm);

}  // namespace neuroscale::optim
