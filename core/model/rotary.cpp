#include "core/model/rotary.h"

#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include "core/check.h"
#include "core/model/vector_math.h"

namespace neuroscale::model {
namespace {

// Tokens per task of at::parallel_for.
constexpr std::int64_t kTokenGrain = 16;

// One token's `heads` heads of width 2 half at x, rotated by its tables c, s into y:
// y[j] = x[j] c[j] - x[j + half] s[j] and y[j + half] = x[j + half] c[j + half] + x[j] s[j + half].
// With `transpose`, the transposed rotation (the backward: sin negated and read on the
// other half), y[j] = x[j] c[j] + x[j + half] s[j + half], y[j + half] = x[j + half] c[j + half]
// - x[j] s[j].
NS_VECTOR_CLONES void rotate_token(const float* x, const float* c, const float* s, float* y,
                                   std::int64_t heads, std::int64_t half, bool transpose) {
  const float* s_first = transpose ? s + half : s;
  const float* s_second = transpose ? s : s + half;
  const float sign = transpose ? -1.0f : 1.0f;
  for (std::int64_t h = 0; h < heads; ++h) {
    const float* xh = x + h * 2 * half;
    float* yh = y + h * 2 * half;
    for (std::int64_t j = 0; j < half; ++j) yh[j] = xh[j] * c[j] - sign * xh[j + half] * s_first[j];
    for (std::int64_t j = 0; j < half; ++j)
      yh[j + half] = xh[j + half] * c[j + half] + sign * xh[j] * s_second[j];
  }
}

// x [tokens, heads, 2 half] rotated by tables [tokens, 2 half].
at::Tensor rotate_tokens(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin,
                         bool transpose) {
  const auto tokens = x.size(0) * x.size(1), heads = x.size(2), half = x.size(3) / 2;
  auto y = at::empty_like(x);
  const float *xp = x.data_ptr<float>(), *cp = cos.data_ptr<float>(), *sp = sin.data_ptr<float>();
  float* yp = y.data_ptr<float>();
  const auto row = heads * 2 * half;
  at::parallel_for(0, tokens, kTokenGrain, [&](std::int64_t first, std::int64_t last) {
    for (std::int64_t t = first; t < last; ++t)
      rotate_token(xp + t * row, cp + t * 2 * half, sp + t * 2 * half, yp + t * row, heads, half,
                   transpose);
  });
  return y;
}

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

struct RotateHeads : public torch::autograd::Function<RotateHeads> {
  static at::Tensor forward(AutogradContext* context, const at::Tensor& x, const at::Tensor& cos,
                            const at::Tensor& sin) {
    context->save_for_backward({cos, sin});
    return rotate_tokens(x, cos, sin, /*transpose=*/false);
  }

  static tensor_list backward(AutogradContext* context, tensor_list grads) {
    const auto saved = context->get_saved_variables();
    return {rotate_tokens(grads[0].contiguous(), saved[0], saved[1], /*transpose=*/true),
            at::Tensor(), at::Tensor()};
  }
};

bool fused(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  for (const auto* t : {&x, &cos, &sin}) {
    if (!t->device().is_cpu() || t->scalar_type() != at::kFloat || !t->is_contiguous())
      return false;
  }
  return !cos.requires_grad() && !sin.requires_grad();
}

}  // namespace

RotaryTables rotary_tables(const at::Tensor& positions, std::int64_t head_dim, double theta,
                           double scale) {
  NS_CHECK_AS(UsageError, head_dim % 2 == 0, "rotary embeddings need an even head dimension, got ",
              head_dim);
  const auto options = at::TensorOptions().dtype(at::kFloat).device(positions.device());
  // inv_freq[i] = theta^(-2i / head_dim), computed in double as the reference does in float.
  const auto exponents = at::arange(0, head_dim, 2, options.dtype(at::kDouble)) / head_dim;
  const auto inv_freq = at::pow(theta, -exponents).to(at::kFloat);
  const auto angles = at::outer(positions.to(at::kFloat), inv_freq);  // [N, head_dim / 2]
  const auto doubled = at::cat({angles, angles}, -1);
  return {at::cos(doubled) * scale, at::sin(doubled) * scale};
}

at::Tensor apply_rotary(const at::Tensor& x, const RotaryTables& tables) {
  const std::int64_t half = x.size(-1) / 2;
  const auto first = x.narrow(-1, 0, half);
  const auto second = x.narrow(-1, half, half);
  const auto rotated = at::cat({at::neg(second), first}, -1);
  // Tables are float32; under bf16 autocast x is bf16 and the product stays in x's type.
  const auto dtype = x.scalar_type();
  return at::addcmul(x * tables.cos.to(dtype), rotated, tables.sin.to(dtype));
}

at::Tensor rotate_heads(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin) {
  NS_CHECK_AS(UsageError,
              x.dim() == 4 && x.size(3) % 2 == 0 && cos.dim() == 3 && cos.sizes() == sin.sizes() &&
                  cos.size(0) == x.size(0) && cos.size(1) == x.size(1) && cos.size(2) == x.size(3),
              "rotating heads expects x [B, T, H, D] (D even) and tables [B, T, D], got ",
              x.sizes(), ", ", cos.sizes(), " and ", sin.sizes());
  if (fused(x, cos, sin)) return RotateHeads::apply(x, cos, sin);
  return apply_rotary(x, {cos.unsqueeze(2), sin.unsqueeze(2)});  // tables broadcast over heads
}

}  // namespace neuroscale::model
