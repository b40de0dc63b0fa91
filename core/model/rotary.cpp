#include "core/model/rotary.h"

#include "core/check.h"

namespace neuroscale::model {

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

}  // namespace neuroscale::model
