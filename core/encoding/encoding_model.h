// One voxelwise encoding model, end to end, as the reference fits and scores it (EMSL /
// MBT): each story's features z-scored on their own, the stories stacked, FIR-delayed,
// bootstrap ridge with one alpha per voxel on the training stories, then Pearson r per
// voxel between the prediction and the responses of the test stories (stacked alike).
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

#include "core/encoding/ridge.h"

namespace neuroscale::encoding {

struct EncodingScores {
  at::Tensor r;       ///< [V] float64: held-out Pearson r per voxel
  at::Tensor alphas;  ///< [V] float64: each voxel's ridge parameter
};

// Per story: features [rows, K] and responses [rows, V] with equal rows (train and test
// alike). Throws UsageError for empty or mismatched inputs.
EncodingScores fit_and_score(const std::vector<at::Tensor>& train_features,
                             const std::vector<at::Tensor>& train_responses,
                             const std::vector<at::Tensor>& test_features,
                             const std::vector<at::Tensor>& test_responses,
                             const std::vector<std::int64_t>& delays, const RidgeOptions& options);

}  // namespace neuroscale::encoding
