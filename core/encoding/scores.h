// Scores of an encoding model against held-out fMRI responses: per-voxel Pearson r, the
// Schoppe et al. (2016) noise ceiling from repeated presentations (MBT brn_eval_utils.py:
// spe_and_cc_norm), r normalised by it, and the summary the alignment reports.
// docs/brain-alignment.md gives the formulas and where the reference was ambiguous.
#pragma once

#include <ATen/ATen.h>

#include <torch/arg.h>

#include <cstdint>
#include <vector>

namespace neuroscale::encoding {

// Pearson correlation of each column of a [T, V] with the same column of b [T, V] -> [V]
// float64. A column with no variance in a or b has no correlation; it scores 0 (the
// reference's final ridge scores pass through nan_to_num the same way).
at::Tensor pearson_columns(const at::Tensor& a, const at::Tensor& b);

struct NoiseCeilingOptions {
  /// z-score each repeat's time course per voxel (population std) before averaging. The
  /// formula takes the noise power TP = 1, which holds only for z-scored repeats; LeBel et
  /// al.'s preprocessed repeats already are, so the reference does not (default false).
  TORCH_ARG(bool, zscore_repeats) = false;
};

// repeats [R >= 2, T >= 2, V] -> cc_max [V] float64, the highest correlation a model can
// reach given the noise between repeats. With y = the mean over repeats, N = R, TP = 1:
//   SP = (N * var(y) - TP) / (N - 1),   cc_max = 1 / sqrt(1 + (TP / SP - 1) / N),
// where var is over time with ddof = 1, as the reference's np.var(y, axis=0, ddof=1).
// A voxel with SP <= 0 has no measurable signal: cc_max = 0, and normalised_correlation
// excludes it. (The reference's nan_to_num gives 0 there too, except for a flat mean
// response, SP = -TP / (N - 1) exactly, where the root is 0 and it returns the largest
// float, so such a voxel would count with cc_norm 0.)
at::Tensor noise_ceiling(const at::Tensor& repeats, const NoiseCeilingOptions& options = {});

// r / cc_max per voxel; voxels with cc_max <= min_cc_max (MBT brn_align_utils: 0.05) are NaN.
at::Tensor normalised_correlation(const at::Tensor& r, const at::Tensor& cc_max,
                                  double min_cc_max = 0.05);

struct AlignmentSummary {
  /// mean r over all voxels
  double mean_r = 0.0;
  /// mean cc_norm over the voxels where it is finite (NaN when there are none)
  double mean_cc_norm = 0.0;
  /// voxels whose cc_norm is finite
  std::int64_t normalised_voxels = 0;
  std::int64_t voxels = 0;
};

// r [V] and cc_norm [V] (from normalised_correlation) -> the summary.
AlignmentSummary summarise_alignment(const at::Tensor& r, const at::Tensor& cc_norm);

// The noise ceiling of a participant's held-out stories, `repeats` holding each story's
// repeats [R, T_s, V] (an undefined tensor for a story without). Defined only when every
// story has repeats, all with the same R (the stories are then joined in time); otherwise
// undefined: the scores are not normalised.
at::Tensor test_noise_ceiling(const std::vector<at::Tensor>& repeats,
                              const NoiseCeilingOptions& options = {});

// The summary of r [V] against `cc_max` [V] (undefined: no ceiling, cc_norm NaN everywhere),
// with normalised_correlation's `min_cc_max`.
AlignmentSummary score_alignment(const at::Tensor& r, const at::Tensor& cc_max,
                                 double min_cc_max = 0.05);

}  // namespace neuroscale::encoding
