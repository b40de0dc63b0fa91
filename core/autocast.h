// Mixed precision: a scope in which LibTorch's autocast runs eligible ops (matmuls, linear
// layers) in bfloat16 on one device type while parameters, gradients and optimiser state
// stay float32 (the "master weights"). Loss and reductions remain float32 by autocast's own
// op lists. bf16 needs no loss scaling (its exponent range is float32's).
#pragma once

#include <ATen/ATen.h>

namespace neuroscale {

// Whether autocast is on for `device` now (products then run in its lower precision).
bool autocast_enabled(at::DeviceType device);

class AutocastGuard {
 public:
  // Enables bf16 autocast on `device` (CPU or CUDA) while alive when `enabled`; otherwise a
  // no-op.
  AutocastGuard(at::DeviceType device, bool enabled);
  ~AutocastGuard();  // restores the previous state and drops the cast cache
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  at::DeviceType device_;
  bool enabled_;
  bool was_enabled_ = false;
  at::ScalarType previous_dtype_ = at::kFloat;
};

}  // namespace neuroscale
