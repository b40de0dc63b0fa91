// Voxelwise ridge regression with the regularisation chosen per voxel on bootstrapped
// held-out chunks, as ridge_utils/ridge.py:bootstrap_ridge (Huth lab; used by EMSL and MBT
// with use_corr=False) and docs/brain-alignment.md. Pure functions on CPU tensors; the work
// inside runs on ATen's intra-op threads. Arithmetic is float64 whatever the input dtype.
#pragma once

#include <ATen/ATen.h>

#include <torch/arg.h>

#include <cstdint>
#include <vector>

namespace neuroscale::encoding {

// 10^x for `num` points x evenly spaced over [start, stop], as np.logspace (the last point
// is exactly 10^stop).
std::vector<double> logspace(double start, double stop, std::int64_t num);

struct RidgeOptions {
  /// candidate ridge parameters; alpha enters squared, S / (S^2 + alpha^2) (MBT: logspace(1,4,15))
  TORCH_ARG(std::vector<double>, alphas) = logspace(1, 4, 15);
  /// held-out resamplings that score the alphas (MBT nboots=3)
  TORCH_ARG(std::int64_t, bootstraps) = 3;
  /// rows per held-out chunk: consecutive TRs, longer than the FIR delays (MBT chunklen=20)
  TORCH_ARG(std::int64_t, chunk_length) = 20;
  /// chunks held out per bootstrap; 0 = int(0.25 * rows / chunk_length), MBT's nchunks
  TORCH_ARG(std::int64_t, heldout_chunks) = 0;
  /// singular values <= this are dropped from the bootstrap fits (MBT singcutoff=1e-10)
  TORCH_ARG(double, singular_cutoff) = 1e-10;
  /// one alpha for every voxel: the best on the mean over voxels and bootstraps
  TORCH_ARG(bool, single_alpha) = false;
  /// voxels whose responses are converted and regressed at once (bounds temporaries to
  /// about rows * voxel_chunk * 8 bytes a few times over)
  TORCH_ARG(std::int64_t, voxel_chunk) = 4096;
  /// seed of the held-out chunk draws (the reference shuffles with Python's unseeded
  /// `random`; here the draw is reproducible: the same seed gives the same chunks)
  TORCH_ARG(std::uint64_t, seed) = 0;
};

struct RidgeFit {
  /// [K, V] float64: y ~ x.mm(weights)
  at::Tensor weights;
  /// [V] float64: each voxel's alpha
  at::Tensor alphas;
  /// [V] int64: each voxel's alpha as an index into RidgeOptions::alphas
  at::Tensor alpha_indices;
  /// [n_alphas, V] float64: the held-out score of every alpha, mean over bootstraps
  at::Tensor bootstrap_scores;
  /// per bootstrap, the held-out rows [nchunks * chunk_length] int64 in draw order
  std::vector<at::Tensor> heldout_rows;
};

// The held-out rows of each bootstrap for `rows` training rows: the rows are cut into
// consecutive chunks of chunk_length (a remainder shorter than a chunk is never held out,
// but stays in every training set), the chunks are shuffled (Fisher-Yates, as Python's
// random.shuffle, with the Rng stream (seed, bootstrap)) and the first `heldout_chunks`
// are held out. Throws UsageError when no chunk, or no training row, would remain.
std::vector<at::Tensor> bootstrap_heldout_rows(std::int64_t rows, const RidgeOptions& options);

// The held-out score of every alpha for one split: SVD of x[train] (singular values <=
// cutoff dropped), pred = (x[held] Vt^T) diag(S / (S^2 + alpha^2)) (U^T y[train]),
// R^2 = 1 - var(y[held] - pred) / ((1 + var(y[held])) / 2) with population variances per
// voxel, score = sign(R^2) sqrt(|R^2|) (NaN -> 0). Returns [n_alphas, V] float64.
at::Tensor heldout_scores(const at::Tensor& x, const at::Tensor& y, const at::Tensor& heldout_rows,
                          const RidgeOptions& options);

// Ridge weights [K, V] on all rows with one alpha per voxel (`voxel_alphas` [V]):
// Vt^T diag(S / (S^2 + alpha_v^2)) U^T y from the SVD of all of x. As the reference's
// final fit, no singular value is dropped here (those below the cutoff add at most
// cutoff / alpha^2 per unit of U^T y).
at::Tensor ridge_weights(const at::Tensor& x, const at::Tensor& y, const at::Tensor& voxel_alphas,
                         std::int64_t voxel_chunk = 4096);

// x_train [T, K], y_train [T, V] (any floating dtype, finite: replace NaN first, as the
// reference's loaders do) -> the fit described above. Alphas are chosen per voxel as the
// first argmax of the bootstrap mean (or one for all with single_alpha).
RidgeFit bootstrap_ridge(const at::Tensor& x_train, const at::Tensor& y_train,
                         const RidgeOptions& options = {});

// x [T, K] -> x.mm(weights) [T, V], float64.
at::Tensor predict(const at::Tensor& x, const at::Tensor& weights);

}  // namespace neuroscale::encoding
