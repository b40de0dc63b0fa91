// Input augmentations of the BIT reference (`models/model_utils.py:SmoothAndNoise`), applied
// to features [B, T, C] before patching. Smoothing runs in training and evaluation; noise
// only in training. Unlike the reference, which smooths a batch padded with -100 and so
// corrupts the last bins of shorter trials, bins past a trial's end are zero before and
// after every step here. Noise draws from LibTorch's generator of the tensor's device.
#pragma once

#include <ATen/ATen.h>

#include <torch/arg.h>

namespace neuroscale::model {

struct AugmentOptions {
  /// Gaussian smoothing along time, sd in bins (0 = off; the reference uses 2)
  TORCH_ARG(double, smooth_sd) = 0.0;
  /// sd of white noise added to every value (0 = off; the reference uses 0.2)
  TORCH_ARG(double, white_noise) = 0.0;
  /// sd of a per-trial, per-channel constant offset (0 = off; the reference uses 0.05)
  TORCH_ARG(double, constant_offset) = 0.0;
};

// Normalised Gaussian kernel of 1 + 2*ceil(3 sd) taps (13 for sd 2, as the reference).
at::Tensor gaussian_kernel(double sd);

// `features` [B, T, C], `bins` [B] true lengths. Returns a new tensor (or `features` when
// nothing applies).
at::Tensor augment(const at::Tensor& features, const at::Tensor& bins,
                   const AugmentOptions& options, bool training);

}  // namespace neuroscale::model
