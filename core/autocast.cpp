#include "core/autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "core/check.h"

// LibTorch 2.4 replaced the per-device functions with ones taking a device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define NEUROSCALE_AUTOCAST_BY_DEVICE 1
#else
#define NEUROSCALE_AUTOCAST_BY_DEVICE 0
#endif

namespace neuroscale {
namespace {

void set_enabled(at::DeviceType device, bool enabled) {
#if NEUROSCALE_AUTOCAST_BY_DEVICE
  at::autocast::set_autocast_enabled(device, enabled);
#else
  if (device == at::kCUDA)
    at::autocast::set_enabled(enabled);
  else
    at::autocast::set_cpu_enabled(enabled);
#endif
}

at::ScalarType get_dtype(at::DeviceType device) {
#if NEUROSCALE_AUTOCAST_BY_DEVICE
  return at::autocast::get_autocast_dtype(device);
#else
  return device == at::kCUDA ? at::autocast::get_autocast_gpu_dtype()
                             : at::autocast::get_autocast_cpu_dtype();
#endif
}

void set_dtype(at::DeviceType device, at::ScalarType dtype) {
#if NEUROSCALE_AUTOCAST_BY_DEVICE
  at::autocast::set_autocast_dtype(device, dtype);
#else
  if (device == at::kCUDA)
    at::autocast::set_autocast_gpu_dtype(dtype);
  else
    at::autocast::set_autocast_cpu_dtype(dtype);
#endif
}

}  // namespace

bool autocast_enabled(at::DeviceType device) {
#if NEUROSCALE_AUTOCAST_BY_DEVICE
  return at::autocast::is_autocast_enabled(device);
#else
  return device == at::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

AutocastGuard::AutocastGuard(at::DeviceType device, bool enabled)
    : device_(device), enabled_(enabled) {
  if (!enabled_) return;
  NS_CHECK_AS(UsageError, device == at::kCPU || device == at::kCUDA,
              "bf16 autocast needs a CPU or CUDA device");
  was_enabled_ = autocast_enabled(device_);
  previous_dtype_ = get_dtype(device_);
  set_dtype(device_, at::kBFloat16);
  set_enabled(device_, true);
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!enabled_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_enabled(device_, was_enabled_);
  set_dtype(device_, previous_dtype_);
}

}  // namespace neuroscale
