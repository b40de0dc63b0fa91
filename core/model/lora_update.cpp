#include "core/model/lora_update.h"

#include <torch/autograd.h>

#include "core/check.h"

namespace neuroscale::model {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Saves x and the scaled down-projection transposed, Dᵀ = s · A xᵀ [r, N]. With g the
// output's gradient and Gᵀ = Bᵀ gᵀ [r, N] (the gradient of x Aᵀ, unscaled):
//   base: g        B: (Dᵀ g)ᵀ        A: s · Gᵀ x        x: s · G A
// Every product is r rows by N, out or in, or an r-deep product (G A), never N by r.
struct LoraUpdate : public torch::autograd::Function<LoraUpdate> {
  static at::Tensor forward(AutogradContext* context, const at::Tensor& base, const at::Tensor& x,
                            const at::Tensor& lora_A, const at::Tensor& lora_B, double scaling) {
    const auto down_t = at::mm(lora_A, x.t()).mul_(scaling);  // [r, N]
    context->save_for_backward({x, lora_A, lora_B, down_t});
    context->saved_data["scaling"] = scaling;
    // Into base itself (it is the base product, made for this sum): no copy of [N, out].
    context->mark_dirty({base});
    return base.addmm_(down_t.t(), lora_B.t());
  }

  static tensor_list backward(AutogradContext* context, tensor_list grads) {
    const auto saved = context->get_saved_variables();
    const auto &x = saved[0], &lora_A = saved[1], &lora_B = saved[2], &down_t = saved[3];
    const double scaling = context->saved_data["scaling"].toDouble();
    const auto& g = grads[0];
    at::Tensor base_gradient, x_gradient, a_gradient, b_gradient;
    if (context->needs_input_grad(0)) base_gradient = g;
    if (context->needs_input_grad(3)) b_gradient = at::mm(down_t, g).t();  // [out, r]
    if (context->needs_input_grad(1) || context->needs_input_grad(2)) {
      const auto up_t = at::mm(lora_B.t(), g.t()).mul_(scaling);  // s · Gᵀ [r, N]
      if (context->needs_input_grad(2)) a_gradient = at::mm(up_t, x);
      if (context->needs_input_grad(1)) x_gradient = at::mm(up_t.t(), lora_A);
    }
    return {base_gradient, x_gradient, a_gradient, b_gradient, at::Tensor()};
  }
};

}  // namespace

at::Tensor lora_update(const at::Tensor& base, const at::Tensor& x, const at::Tensor& lora_A,
                       const at::Tensor& lora_B, double scaling) {
  NS_CHECK_AS(UsageError,
              x.dim() == 2 && lora_A.dim() == 2 && lora_B.dim() == 2 && base.dim() == 2 &&
                  lora_A.size(1) == x.size(1) && lora_B.size(1) == lora_A.size(0) &&
                  base.size(0) == x.size(0) && base.size(1) == lora_B.size(0),
              "a LoRA update expects base [N, out], x [N, in], A [r, in], B [out, r]; got ",
              base.sizes(), ", ", x.sizes(), ", ", lora_A.sizes(), ", ", lora_B.sizes());
  return LoraUpdate::apply(base, x, lora_A, lora_B, scaling);
}

}  // namespace neuroscale::model
