#include "core/speech/kmeans.h"

#include <ATen/ATen.h>

#include <limits>

#include "core/check.h"
#include "core/random.h"

namespace neuroscale::speech {
namespace {

constexpr std::int64_t kBlock = 8192;  // rows per distance block

void check_frames(const at::Tensor& x, const char* what) {
  NS_CHECK(x.dim() == 2 && x.size(0) > 0 && x.is_floating_point() && x.device().is_cpu(), what,
           ": frames must be a non-empty [n, d] floating-point CPU tensor, got ", x.sizes());
}

// Squared distances of rows [begin, end) of x to every centroid: [rows, k] float64.
at::Tensor squared_distances(const at::Tensor& x, const at::Tensor& c, std::int64_t begin,
                             std::int64_t end) {
  const at::Tensor rows = x.slice(0, begin, end).to(at::kDouble);
  const at::Tensor cd = c.to(at::kDouble);
  return (rows.pow(2).sum(1, true) - 2 * at::matmul(rows, cd.t()) + cd.pow(2).sum(1).unsqueeze(0))
      .clamp_min(0);
}

// Each row's nearest centroid and squared distance to it.
std::pair<at::Tensor, at::Tensor> assign(const at::Tensor& x, const at::Tensor& c) {
  const std::int64_t n = x.size(0);
  at::Tensor labels = at::empty({n}, at::kLong), distances = at::empty({n}, at::kDouble);
  for (std::int64_t begin = 0; begin < n; begin += kBlock) {
    const std::int64_t end = std::min(n, begin + kBlock);
    auto [d, i] = squared_distances(x, c, begin, end).min(1);
    labels.slice(0, begin, end).copy_(i);
    distances.slice(0, begin, end).copy_(d);
  }
  return {labels, distances};
}

}  // namespace

at::Tensor kmeans_plus_plus(const at::Tensor& x, std::int64_t k, std::uint64_t seed) {
  check_frames(x, "kmeans_plus_plus");
  const std::int64_t n = x.size(0);
  NS_CHECK_AS(UsageError, k >= 1 && k <= n, "k-means: ", k, " clusters from ", n,
              " frames (expected 1 <= clusters <= frames)");
  Rng rng(seed);
  const at::Tensor xd = x.to(at::kDouble);
  at::Tensor centroids = at::empty({k, x.size(1)}, at::kDouble);
  centroids[0] = xd[rng.uniform_int(0, n - 1)];
  at::Tensor nearest = (xd - centroids[0]).pow(2).sum(1);
  for (std::int64_t j = 1; j < k; ++j) {
    const double total = nearest.sum().item<double>();
    std::int64_t chosen = rng.uniform_int(0, n - 1);  // all points coincide: any one
    if (total > 0) {
      const at::Tensor cumulative = nearest.cumsum(0);
      const double target = rng.uniform() * total;
      chosen = std::min<std::int64_t>(
          at::searchsorted(cumulative, at::scalar_tensor(target, at::kDouble), false, true)
              .item<std::int64_t>(),
          n - 1);
    }
    centroids[j] = xd[chosen];
    nearest = at::minimum(nearest, (xd - centroids[j]).pow(2).sum(1));
  }
  return centroids.to(at::kFloat);
}

KmeansResult lloyd(const at::Tensor& x, const at::Tensor& init, const KmeansOptions& o,
                   const std::function<void(std::int64_t, double)>& progress) {
  check_frames(x, "k-means");
  NS_CHECK(init.dim() == 2 && init.size(1) == x.size(1) && init.size(0) >= 1,
           "k-means: initial centroids ", init.sizes(), " for frames of ", x.size(1), " values");
  NS_CHECK_AS(UsageError, o.iterations() >= 1 && o.tolerance() >= 0, "k-means: iterations ",
              o.iterations(), " (expected >= 1), tolerance ", o.tolerance(), " (expected >= 0)");
  const std::int64_t k = init.size(0);
  const at::Tensor xd = x.to(at::kDouble);
  at::Tensor centroids = init.to(at::kDouble).clone();
  KmeansResult result;
  double previous = std::numeric_limits<double>::infinity();
  for (std::int64_t iteration = 1; iteration <= o.iterations(); ++iteration) {
    auto [labels, distances] = assign(xd, centroids);
    const double inertia = distances.mean().item<double>();
    result.iterations = iteration;
    result.inertia = inertia;
    if (progress) progress(iteration, inertia);
    const bool converged = previous - inertia <= o.tolerance() * inertia;
    previous = inertia;
    // The means of this assignment become the centroids (the inertia reported at the end is
    // that of the final centroids).
    at::Tensor sums = at::zeros({k, x.size(1)}, at::kDouble).index_add_(0, labels, xd);
    at::Tensor counts = at::bincount(labels, {}, k).to(at::kDouble);
    const at::Tensor empty = (counts == 0).nonzero().flatten();
    if (empty.numel() > 0) {
      // Empty clusters take the points farthest from their centroids, one each.
      const at::Tensor far = std::get<1>(distances.topk(empty.numel()));
      for (std::int64_t e = 0; e < empty.numel(); ++e) {
        const std::int64_t cluster = empty[e].item<std::int64_t>();
        sums[cluster] = xd[far[e].item<std::int64_t>()];
        counts[cluster] = 1;
      }
    }
    centroids = sums / counts.unsqueeze(1);
    if (converged && empty.numel() == 0) break;
  }
  result.centroids = centroids.to(at::kFloat);
  result.inertia = assign(xd, centroids).second.mean().item<double>();
  return result;
}

KmeansResult kmeans(const at::Tensor& x, const KmeansOptions& o,
                    const std::function<void(std::int64_t, double)>& progress) {
  return lloyd(x, kmeans_plus_plus(x, o.clusters(), o.seed()), o, progress);
}

at::Tensor nearest_centroid(const at::Tensor& x, const at::Tensor& centroids) {
  check_frames(x, "nearest_centroid");
  NS_CHECK(centroids.dim() == 2 && centroids.size(1) == x.size(1), "nearest_centroid: centroids ",
           centroids.sizes(), " for frames of ", x.size(1), " values");
  return assign(x.to(at::kDouble), centroids.to(at::kDouble)).first;
}

}  // namespace neuroscale::speech
