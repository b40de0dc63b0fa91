// Lanczos resampling of feature time series onto fMRI acquisition times, as
// ridge_utils/interpdata.py:lanczosinterp2D in the Huth-lab code (used by EMSL and MBT to
// bring 10 Hz speech-model features to one row per TR).
#pragma once

#include <ATen/ATen.h>

namespace neuroscale::encoding {

// The Lanczos kernel at x (in units of the cutoff period): window*sin(pi x)*sin(pi x /
// window) / (pi^2 x^2), exactly 1 at x = 0 and 0 for |x| > window. Elementwise, float64.
at::Tensor lanczos_kernel(const at::Tensor& x, std::int64_t window = 3);

// data [n, K] sampled at old_times [n] -> [m, K] at new_times [m], float64:
//   out[i] = sum_j lanczos_kernel((new_times[i] - old_times[j]) * cutoff) * data[j],
//   cutoff = cutoff_mult / mean(diff(new_times)).
// As the reference, the kernel weights are not renormalised to sum to one, so the output
// gain is only approximately 1 (by about the ratio of the new to the old sampling period).
// Times need not be sorted or uniform; new_times needs at least 2 entries. Any dtype in.
at::Tensor lanczos_interp2d(const at::Tensor& data, const at::Tensor& old_times,
                            const at::Tensor& new_times, std::int64_t window = 3,
                            double cutoff_mult = 1.0);

}  // namespace neuroscale::encoding
