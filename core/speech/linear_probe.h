// A linear probe: multinomial logistic regression of a class (a frame's phoneme) from a
// feature vector (a layer's hidden state), the standard measure of what a representation
// makes linearly readable (Alain and Bengio 2016; the phone probes of wav2vec2 / HuBERT
// analyses). Features are standardised with the training set's mean and standard deviation;
// the objective is the mean cross-entropy plus weight_decay / 2 times the squared norm of the
// weights (not the bias), strictly convex, minimised full-batch by L-BFGS with a strong-Wolfe
// line search from zero weights, so the result does not depend on a seed.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <cstdint>

namespace neuroscale::speech {

struct LinearProbeOptions {
  /// L2 penalty on the weights (of the standardised features)
  TORCH_ARG(double, weight_decay) = 1e-4;
  /// most L-BFGS iterations
  TORCH_ARG(std::int64_t, iterations) = 300;
  /// stop when the gradient's largest entry falls below this
  TORCH_ARG(double, gradient_tolerance) = 1e-5;
};

struct LinearProbe {
  at::Tensor mean;    ///< [d] float32, training features' mean
  at::Tensor scale;   ///< [d] float32, 1 / their standard deviation (0 for a constant feature)
  at::Tensor weight;  ///< [classes, d] float32, on standardised features
  at::Tensor bias;    ///< [classes] float32
  double loss = 0;    ///< the objective at the end
  std::int64_t evaluations = 0;  ///< objective evaluations L-BFGS made
};

// Fits on x [n, d] float32 and y [n] int64 in [0, classes). Throws UsageError on shapes,
// labels out of range or n == 0.
LinearProbe fit_linear_probe(const at::Tensor& x, const at::Tensor& y, std::int64_t classes,
                             const LinearProbeOptions& options = {});

// Logits [n, classes] float32 of x [n, d].
at::Tensor probe_logits(const LinearProbe& probe, const at::Tensor& x);

// The fraction of rows of x whose highest logit is their label in y.
double probe_accuracy(const LinearProbe& probe, const at::Tensor& x, const at::Tensor& y);

}  // namespace neuroscale::speech
