#include "core/model/affine.h"

#include <ATen/Functions.h>
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>

#include <algorithm>

#include "core/model/few_rows_kernel.h"

namespace neuroscale::model {
namespace {

// The parallel loop's grain in output columns: at::parallel_for gives each intra-op thread
// one contiguous range of at least this many columns (16 of the kernel's column groups).
constexpr std::int64_t kColumnsPerBlock = 64;

}  // namespace

bool uses_few_rows_kernel(const at::Tensor& rows, const at::Tensor& weight) {
  const auto isa = few_rows_isa();
  if (isa == FewRowsIsa::kNone) return false;
  if (rows.dim() != 2 || weight.dim() != 2 || rows.size(1) != weight.size(1)) return false;
  if (!rows.device().is_cpu() || !weight.device().is_cpu()) return false;
  if (rows.scalar_type() != at::kFloat || weight.scalar_type() != at::kFloat) return false;
  // Decoding only: with gradients on, every product is addmm's, as in the reference models.
  if (at::GradMode::is_enabled()) return false;
  if (!weight.is_contiguous() || rows.size(0) == 0) return false;
  return rows.size(0) <= few_rows_limit(isa);
}

at::Tensor affine(const at::Tensor& rows, const at::Tensor& weight, const at::Tensor& bias) {
  if (!uses_few_rows_kernel(rows, weight) ||
      (bias.defined() && (bias.scalar_type() != at::kFloat || !bias.device().is_cpu()))) {
    return bias.defined() ? at::addmm(bias, rows, weight.t()) : at::mm(rows, weight.t());
  }
  const auto x = rows.contiguous();
  const std::int64_t m = x.size(0), k = x.size(1), n = weight.size(0);
  auto out = at::empty({m, n}, x.options());
  const FewRowsProduct product{
      x.data_ptr<float>(), weight.data_ptr<float>(), out.data_ptr<float>(), m, k, n};
  const auto isa = few_rows_isa();
  at::parallel_for(0, n, kColumnsPerBlock, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t first = begin; first < end; first += kColumnsPerBlock) {
      few_rows_columns(isa, product, first, std::min(end, first + kColumnsPerBlock));
    }
  });
  if (bias.defined()) out.add_(bias.contiguous());
  return out;
}

}  // namespace neuroscale::model
