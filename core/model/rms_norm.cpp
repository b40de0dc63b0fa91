#include "core/model/rms_norm.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <cmath>
#include <vector>

#include "core/check.h"
#include "core/model/vector_math.h"

namespace neuroscale::model {
namespace {

// Rows per task, and per partial sum of the weight's gradient.
constexpr std::int64_t kRowsPerChunk = 32;
// Independent partial sums of a row's dot products, so that the loops vectorize without
// reassociating a single float sum (which the compiler may not do).
constexpr int kLanes = 16;

// Σ a[i] b[i] over one row (inlined into each clone below, compiled for its instructions).
inline float dot(const float* a, const float* b, std::int64_t n) {
  float partial[kLanes] = {};
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) partial[l] += a[i + l] * b[i + l];
  float sum = 0.0f;
  for (; i < n; ++i) sum += a[i] * b[i];
  for (const float p : partial) sum += p;
  return sum;
}

// y = w · (x · inverse) over one row; returns inverse = 1 / sqrt(mean(x²) + eps).
NS_VECTOR_CLONES float forward_row(const float* x, const float* w, float eps, float* y,
                                   std::int64_t n) {
  const float inverse = 1.0f / std::sqrt(dot(x, x, n) / static_cast<float>(n) + eps);
  for (std::int64_t i = 0; i < n; ++i) y[i] = w[i] * (x[i] * inverse);
  return inverse;
}

// sum [n] = Σ over `count` rows of `rows` [count, n], in row order.
NS_VECTOR_CLONES void sum_rows(const float* rows, std::int64_t count, float* sum, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) sum[i] = 0.0f;
  for (std::int64_t c = 0; c < count; ++c)
    for (std::int64_t i = 0; i < n; ++i) sum[i] += rows[c * n + i];
}

// With u = g · w: dx = inverse · u - x · inverse³ · (u · x) / H, and the weight's gradient
// g · x · inverse summed into `w_gradient` (when not null). `u` is scratch of one row.
NS_VECTOR_CLONES void backward_row(const float* g, const float* x, const float* w, float inverse,
                                   float* u, float* dx, float* w_gradient, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) u[i] = g[i] * w[i];
  const float c = inverse * inverse * inverse * dot(u, x, n) / static_cast<float>(n);
  if (dx != nullptr)
    for (std::int64_t i = 0; i < n; ++i) dx[i] = inverse * u[i] - c * x[i];
  if (w_gradient != nullptr)
    for (std::int64_t i = 0; i < n; ++i) w_gradient[i] += g[i] * (x[i] * inverse);
}

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

struct FusedRmsNorm : public torch::autograd::Function<FusedRmsNorm> {
  static at::Tensor forward(AutogradContext* context, const at::Tensor& x, const at::Tensor& weight,
                            double eps) {
    const auto width = x.size(-1), rows = x.numel() / width;
    auto y = at::empty_like(x);
    auto inverse = at::empty({rows}, x.options());
    const float *xp = x.data_ptr<float>(), *wp = weight.data_ptr<float>();
    float *yp = y.data_ptr<float>(), *ip = inverse.data_ptr<float>();
    at::parallel_for(0, rows, kRowsPerChunk, [&](std::int64_t first, std::int64_t last) {
      for (std::int64_t r = first; r < last; ++r)
        ip[r] = forward_row(xp + r * width, wp, static_cast<float>(eps), yp + r * width, width);
    });
    context->save_for_backward({x, weight, inverse});
    return y;
  }

  static tensor_list backward(AutogradContext* context, tensor_list grads) {
    const auto saved = context->get_saved_variables();
    const auto &x = saved[0], &weight = saved[1], &inverse = saved[2];
    const auto g = grads[0].contiguous();
    const auto width = x.size(-1), rows = x.numel() / width;
    const auto chunks = (rows + kRowsPerChunk - 1) / kRowsPerChunk;
    at::Tensor dx, partial;
    if (context->needs_input_grad(0)) dx = at::empty_like(x);
    if (context->needs_input_grad(1)) partial = at::zeros({chunks, width}, x.options());
    const float *gp = g.data_ptr<float>(), *xp = x.data_ptr<float>(),
                *wp = weight.data_ptr<float>(), *ip = inverse.data_ptr<float>();
    float* dxp = dx.defined() ? dx.data_ptr<float>() : nullptr;
    float* pp = partial.defined() ? partial.data_ptr<float>() : nullptr;
    at::parallel_for(0, chunks, 1, [&](std::int64_t first, std::int64_t last) {
      std::vector<float> u(static_cast<std::size_t>(width));
      for (std::int64_t c = first; c < last; ++c) {
        for (std::int64_t r = c * kRowsPerChunk; r < std::min(rows, (c + 1) * kRowsPerChunk); ++r) {
          backward_row(gp + r * width, xp + r * width, wp, ip[r], u.data(),
                       dxp == nullptr ? nullptr : dxp + r * width,
                       pp == nullptr ? nullptr : pp + c * width, width);
        }
      }
    });
    at::Tensor w_gradient;
    if (partial.defined()) {
      w_gradient = at::empty({width}, x.options());
      sum_rows(pp, chunks, w_gradient.data_ptr<float>(), width);
    }
    return {dx, w_gradient, at::Tensor()};
  }
};

bool fused(const at::Tensor& x, const at::Tensor& weight) {
  return x.device().is_cpu() && weight.device().is_cpu() && x.scalar_type() == at::kFloat &&
         weight.scalar_type() == at::kFloat && x.dim() >= 1 && x.size(-1) > 0 &&
         x.is_contiguous() && weight.is_contiguous();
}

}  // namespace

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  NS_CHECK_AS(UsageError, x.dim() >= 1 && weight.dim() == 1 && weight.size(0) == x.size(-1),
              "RMSNorm expects x [..., H] and weight [H], got ", x.sizes(), " and ",
              weight.sizes());
  if (fused(x, weight)) return FusedRmsNorm::apply(x, weight, eps);
  const auto x32 = x.to(at::kFloat);
  const auto normed = x32 * at::rsqrt(x32.pow(2).mean(-1, true) + eps);
  return weight * normed.to(x.scalar_type());
}

}  // namespace neuroscale::model
