#include "core/encoding/ridge.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <tuple>

#include "core/check.h"
#include "core/random.h"

namespace neuroscale::encoding {
namespace {

// Rng stream of the held-out draws ("ridge"), so they never share a stream with other users
// of the same seed.
constexpr std::uint64_t kHeldoutStream = 0x7269646765ULL;

void check_design(const at::Tensor& x, const at::Tensor& y, const char* what) {
  NS_CHECK_AS(UsageError, x.dim() == 2 && y.dim() == 2, what,
              ": expected x [T, K] and y [T, V], got ", x.sizes(), " and ", y.sizes());
  NS_CHECK_AS(UsageError, x.size(0) == y.size(0), what, ": x has ", x.size(0), " rows but y has ",
              y.size(0));
  NS_CHECK_AS(UsageError, x.is_floating_point() && y.is_floating_point(), what,
              ": x and y must be floating point");
  NS_CHECK_AS(DataError, at::isfinite(x).all().item<bool>(), what,
              ": the design matrix has NaN or infinite values");
}

// One chunk of voxels as float64, checked finite (the reference zeroes NaN responses while
// loading; a NaN reaching the SVD products would spoil every voxel of the chunk).
at::Tensor response_chunk(const at::Tensor& y, std::int64_t begin, std::int64_t end,
                          const char* what) {
  auto chunk = y.slice(1, begin, end).to(at::kDouble);
  NS_CHECK_AS(DataError, at::isfinite(chunk).all().item<bool>(), what, ": responses of voxels [",
              begin, ", ", end, ") have NaN or infinite values; replace them before fitting");
  return chunk;
}

}  // namespace

std::vector<double> logspace(double start, double stop, std::int64_t num) {
  NS_CHECK_AS(UsageError, num >= 1, "logspace: need at least one point, got ", num);
  std::vector<double> out(static_cast<std::size_t>(num));
  // np.linspace: step = (stop - start) / (num - 1), x_i = i * step + start, last = stop.
  const double step = num > 1 ? (stop - start) / static_cast<double>(num - 1) : 0.0;
  for (std::int64_t i = 0; i < num; ++i) {
    const double x = (i == num - 1 && num > 1) ? stop : static_cast<double>(i) * step + start;
    out[static_cast<std::size_t>(i)] = std::pow(10.0, x);
  }
  return out;
}

std::vector<at::Tensor> bootstrap_heldout_rows(std::int64_t rows, const RidgeOptions& options) {
  const std::int64_t length = options.chunk_length();
  NS_CHECK_AS(UsageError, length >= 1, "bootstrap ridge: chunk_length must be >= 1, got ", length);
  NS_CHECK_AS(UsageError, options.bootstraps() >= 1,
              "bootstrap ridge: bootstraps must be >= 1, got ", options.bootstraps());
  const std::int64_t chunks = rows / length;
  // int(0.25 * T / chunklen), as MBT computes nchunks.
  const std::int64_t held = options.heldout_chunks() > 0
                                ? options.heldout_chunks()
                                : static_cast<std::int64_t>(0.25 * static_cast<double>(rows) /
                                                            static_cast<double>(length));
  NS_CHECK_AS(UsageError, held >= 1 && held <= chunks && held * length < rows,
              "bootstrap ridge: cannot hold out ", held, " chunks of ", length, " rows from ", rows,
              " training rows (", chunks, " chunks); give more rows or set heldout_chunks");
  std::vector<at::Tensor> out;
  for (std::int64_t b = 0; b < options.bootstraps(); ++b) {
    Rng rng(options.seed(), {kHeldoutStream, static_cast<std::uint64_t>(b)});
    std::vector<std::int64_t> order(static_cast<std::size_t>(chunks));
    std::iota(order.begin(), order.end(), 0);
    shuffle(order, rng);  // random.shuffle's loop
    std::vector<std::int64_t> heldout;
    heldout.reserve(static_cast<std::size_t>(held * length));
    for (std::int64_t c = 0; c < held; ++c) {
      const std::int64_t first = order[static_cast<std::size_t>(c)] * length;
      for (std::int64_t r = first; r < first + length; ++r) heldout.push_back(r);
    }
    out.push_back(at::tensor(heldout, at::kLong));
  }
  return out;
}

at::Tensor heldout_scores(const at::Tensor& x, const at::Tensor& y, const at::Tensor& heldout_rows,
                          const RidgeOptions& options) {
  check_design(x, y, "bootstrap ridge");
  const std::int64_t rows = x.size(0);
  NS_CHECK_AS(UsageError, heldout_rows.dim() == 1 && heldout_rows.numel() >= 1,
              "bootstrap ridge: held-out rows must be a non-empty 1-D index");
  const auto held = heldout_rows.to(at::kLong);
  auto is_train = at::ones({rows}, at::kBool);
  is_train.index_fill_(0, held, false);
  const auto train = is_train.nonzero().squeeze(1);  // ascending, as the reference's set()
  NS_CHECK_AS(UsageError, train.numel() >= 1, "bootstrap ridge: every row is held out");
  NS_CHECK_AS(UsageError, !options.alphas().empty(), "bootstrap ridge: no alphas given");
  NS_CHECK_AS(UsageError, options.voxel_chunk() >= 1, "bootstrap ridge: voxel_chunk must be >= 1");

  const auto x64 = x.to(at::kDouble);
  at::Tensor u, s, vt;
  std::tie(u, s, vt) = at::linalg_svd(x64.index_select(0, train), /*full_matrices=*/false);
  const std::int64_t kept = (s > options.singular_cutoff()).sum().item<std::int64_t>();
  u = u.narrow(1, 0, kept);
  s = s.narrow(0, 0, kept);
  vt = vt.narrow(0, 0, kept);
  // D[a] = S / (S^2 + alpha_a^2): alpha enters squared.
  const auto alphas = at::tensor(options.alphas(), at::kDouble).unsqueeze(1);
  const auto shrink = s.unsqueeze(0) / (s * s).unsqueeze(0).add(alphas * alphas);  // [A, k]
  const auto n_alphas = static_cast<std::int64_t>(options.alphas().size());
  const auto rows_held = static_cast<double>(held.numel());

  // The residual variance of alpha a is |y_c - P_c D_a U^T Y|^2 / held per voxel, with P =
  // x[held] V^T and the subscript c centring over the held-out rows (centring is linear).
  // With more held-out rows h than kept singular values k, P_c = Q R (reduced QR) shrinks
  // every alpha's product from [h, k] x [k, v] to [k, k] x [k, v]:
  //   |y_c - Q R D_a U^T Y|^2 = (|y_c|^2 - |Q^T y_c|^2) + |Q^T y_c - R D_a U^T Y|^2,
  // at the price of one [k, h] x [h, v] product per voxel chunk; it pays when
  // h + A k < A h (at the paper's sizes it halves the fit).
  const auto projected = x64.index_select(0, held).mm(vt.t());  // [h, k]
  const auto centred = projected - projected.mean(0, /*keepdim=*/true);
  const bool reduce = kept >= 1 && n_alphas * kept < (n_alphas - 1) * held.numel();
  at::Tensor q, basis = centred;
  if (reduce) std::tie(q, basis) = at::linalg_qr(centred);  // q [h, k], basis R [k, k]

  const std::int64_t voxels = y.size(1);
  auto scores = at::zeros({n_alphas, voxels}, at::kDouble);
  for (std::int64_t begin = 0; begin < voxels; begin += options.voxel_chunk()) {
    const std::int64_t end = std::min(voxels, begin + options.voxel_chunk());
    const auto chunk = response_chunk(y, begin, end, "bootstrap ridge");
    const auto ur = u.t().mm(chunk.index_select(0, train));  // U^T Y [k, v]
    auto y_held = chunk.index_select(0, held);
    y_held -= y_held.mean(0, /*keepdim=*/true);
    const auto held_sum_squares = y_held.square().sum(0);
    // The reference's "assumed" response variance: the mean of 1 (z-scored responses) and
    // the held-out (population) variance.
    const auto assumed_variance = (held_sum_squares / rows_held + 1.0) / 2.0;
    at::Tensor target = y_held, outside = at::zeros_like(held_sum_squares);
    if (reduce) {
      target = q.t().mm(y_held);  // [k, v]
      outside = held_sum_squares - target.square().sum(0);
    }
    for (std::int64_t a = 0; a < n_alphas; ++a) {
      const auto residual =
          at::addmm(target, basis * shrink[a].unsqueeze(0), ur, /*beta=*/1, /*alpha=*/-1);
      const auto residual_variance =
          (at::linalg_vector_norm(residual, 2, at::IntArrayRef{0}).square() + outside) / rows_held;
      const auto r_squared = 1.0 - residual_variance / assumed_variance;
      auto score = at::sign(r_squared) * r_squared.abs().sqrt();
      score = at::where(at::isnan(score), at::zeros_like(score), score);
      scores[a].slice(0, begin, end).copy_(score);
    }
  }
  return scores;
}

at::Tensor ridge_weights(const at::Tensor& x, const at::Tensor& y, const at::Tensor& voxel_alphas,
                         std::int64_t voxel_chunk) {
  check_design(x, y, "ridge weights");
  NS_CHECK_AS(UsageError, voxel_alphas.dim() == 1 && voxel_alphas.size(0) == y.size(1),
              "ridge weights: need one alpha per voxel (", y.size(1), "), got ",
              voxel_alphas.sizes());
  NS_CHECK_AS(UsageError, voxel_chunk >= 1, "ridge weights: voxel_chunk must be >= 1");
  at::Tensor u, s, vt;
  std::tie(u, s, vt) = at::linalg_svd(x.to(at::kDouble), /*full_matrices=*/false);
  const auto alphas = voxel_alphas.to(at::kDouble);
  const std::int64_t voxels = y.size(1);
  auto weights = at::empty({x.size(1), voxels}, at::kDouble);
  const auto s_col = s.unsqueeze(1);
  for (std::int64_t begin = 0; begin < voxels; begin += voxel_chunk) {
    const std::int64_t end = std::min(voxels, begin + voxel_chunk);
    const auto ur = u.t().mm(response_chunk(y, begin, end, "ridge weights"));
    const auto a = alphas.slice(0, begin, end).unsqueeze(0);
    // Column v scaled by S / (S^2 + alpha_v^2): the reference's per-alpha voxel groups in
    // one product.
    const auto shrink = s_col / (s_col * s_col + a * a);  // [k, v]
    weights.slice(1, begin, end).copy_(vt.t().mm(shrink * ur));
  }
  return weights;
}

RidgeFit bootstrap_ridge(const at::Tensor& x_train, const at::Tensor& y_train,
                         const RidgeOptions& options) {
  check_design(x_train, y_train, "bootstrap ridge");
  RidgeFit fit;
  fit.heldout_rows = bootstrap_heldout_rows(x_train.size(0), options);
  auto total = heldout_scores(x_train, y_train, fit.heldout_rows[0], options);
  for (std::size_t b = 1; b < fit.heldout_rows.size(); ++b) {
    total += heldout_scores(x_train, y_train, fit.heldout_rows[b], options);
  }
  fit.bootstrap_scores = total / static_cast<double>(options.bootstraps());
  // argmax returns the first of equal maxima, as np.argmax.
  if (options.single_alpha()) {
    const auto best = fit.bootstrap_scores.mean(1).argmax(0);
    fit.alpha_indices = best.expand({y_train.size(1)}).clone();
  } else {
    fit.alpha_indices = fit.bootstrap_scores.argmax(0);
  }
  fit.alphas = at::tensor(options.alphas(), at::kDouble).index_select(0, fit.alpha_indices);
  fit.weights = ridge_weights(x_train, y_train, fit.alphas, options.voxel_chunk());
  return fit;
}

at::Tensor predict(const at::Tensor& x, const at::Tensor& weights) {
  NS_CHECK_AS(UsageError, x.dim() == 2 && weights.dim() == 2 && x.size(1) == weights.size(0),
              "predict: expected x [T, K] and weights [K, V], got ", x.sizes(), " and ",
              weights.sizes());
  return x.to(at::kDouble).mm(weights.to(at::kDouble));
}

}  // namespace neuroscale::encoding
