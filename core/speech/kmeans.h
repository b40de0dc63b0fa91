// k-means clustering of feature frames, the discrete targets of HuBERT's masked prediction
// (docs/speech-pretraining.md): k-means++ seeding, then Lloyd's iterations until the
// inertia improves by less than a relative tolerance. Deterministic for a seed; empty
// clusters are moved to the points farthest from their centroids. Frames are float32 [n, d];
// distances are computed in float64 blocks so n x k never sits in memory at once.
#pragma once

#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include <cstdint>
#include <functional>

namespace neuroscale::speech {

struct KmeansOptions {
  /// clusters k
  TORCH_ARG(std::int64_t, clusters) = 100;
  /// most Lloyd iterations
  TORCH_ARG(std::int64_t, iterations) = 100;
  /// stop when the inertia improves by less than this fraction of itself
  TORCH_ARG(double, tolerance) = 1e-4;
  /// seeds the k-means++ draws
  TORCH_ARG(std::uint64_t, seed) = 1;
};

struct KmeansResult {
  at::Tensor centroids;  ///< [k, d] float32
  double inertia = 0;    ///< mean squared distance of a frame to its centroid
  std::int64_t iterations = 0;
};

// k-means++ seeding (Arthur and Vassilvitskii 2007): the first centroid drawn uniformly,
// each next one with probability proportional to its squared distance to the nearest
// chosen one. [k, d] float32. Throws UsageError unless 1 <= k <= rows of x.
at::Tensor kmeans_plus_plus(const at::Tensor& x, std::int64_t k, std::uint64_t seed);

// Lloyd's iterations from `init` ([k, d]). `progress(iteration, inertia)` after each.
KmeansResult lloyd(const at::Tensor& x, const at::Tensor& init, const KmeansOptions& options,
                   const std::function<void(std::int64_t, double)>& progress = {});

// Seeding and iterations.
KmeansResult kmeans(const at::Tensor& x, const KmeansOptions& options,
                    const std::function<void(std::int64_t, double)>& progress = {});

// The nearest centroid of each row of x: [n] int64 (ties: the lower index).
at::Tensor nearest_centroid(const at::Tensor& x, const at::Tensor& centroids);

}  // namespace neuroscale::speech
