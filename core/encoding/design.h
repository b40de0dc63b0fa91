// Design matrices for voxelwise encoding models: column z-scoring and the finite impulse
// response (FIR) delays, as ridge_utils (`zs`, util.py:make_delayed) in the Huth-lab code.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace neuroscale::encoding {

// x [T, K] -> float64 [T, K], each column minus its mean over rows, divided by its
// population standard deviation (np.std, ddof = 0). A column whose values are all equal has
// no scale; the reference divides 0 by 0 and yields NaN, which a later fit cannot use, so
// such a column becomes all zeros here (it then contributes nothing to a ridge fit).
at::Tensor zscore_columns(const at::Tensor& x);

// x [T, K] -> [T, K * delays.size()], blocks [x shifted by d1 | x shifted by d2 | ...]:
// for d > 0 row t of a block is x[t - d] (zeros in the first d rows: the response at t
// sees the stimulus d samples earlier); for d < 0 row t is x[t - d] = x[t + |d|] (zeros in
// the last |d| rows); d = 0 is x itself. A shift of T or more rows gives an all-zero block.
// Keeps x's dtype. (The reference's circular-padding option is not offered.)
at::Tensor make_delayed(const at::Tensor& x, const std::vector<std::int64_t>& delays);

}  // namespace neuroscale::encoding
