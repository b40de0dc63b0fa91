#include "core/model/swiglu.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include "core/model/vector_math.h"

namespace neuroscale::model {
namespace {

// Elements per task of at::parallel_for: 64 KB of each operand.
constexpr std::int64_t kGrain = 16384;

NS_VECTOR_CLONES void forward_kernel(const float* gate, const float* up, float* out,
                                     std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    const float sigmoid = 1.0f / (1.0f + vector_exp(-gate[i]));
    out[i] = gate[i] * sigmoid * up[i];
  }
}

// d/d gate of gate σ(gate) is σ (1 + gate (1 - σ)).
NS_VECTOR_CLONES void backward_kernel(const float* g, const float* gate, const float* up,
                                      float* gate_gradient, float* up_gradient, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i) {
    const float sigmoid = 1.0f / (1.0f + vector_exp(-gate[i]));
    const float silu = gate[i] * sigmoid;
    if (up_gradient != nullptr) up_gradient[i] = g[i] * silu;
    if (gate_gradient != nullptr)
      gate_gradient[i] = g[i] * up[i] * sigmoid * (1.0f + gate[i] * (1.0f - sigmoid));
  }
}

float* data_or_null(at::Tensor& t) { return t.defined() ? t.data_ptr<float>() : nullptr; }

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

struct SiluMul : public torch::autograd::Function<SiluMul> {
  static at::Tensor forward(AutogradContext* context, const at::Tensor& gate,
                            const at::Tensor& up) {
    auto out = at::empty_like(gate);
    const float *g = gate.data_ptr<float>(), *u = up.data_ptr<float>();
    float* o = out.data_ptr<float>();
    at::parallel_for(0, gate.numel(), kGrain, [&](std::int64_t begin, std::int64_t end) {
      forward_kernel(g + begin, u + begin, o + begin, end - begin);
    });
    context->save_for_backward({gate, up});
    return out;
  }

  static tensor_list backward(AutogradContext* context, tensor_list grads) {
    const auto saved = context->get_saved_variables();
    const auto& gate = saved[0];
    const auto& up = saved[1];
    const auto g = grads[0].contiguous();
    at::Tensor gate_gradient, up_gradient;
    if (context->needs_input_grad(0)) gate_gradient = at::empty_like(gate);
    if (context->needs_input_grad(1)) up_gradient = at::empty_like(up);
    float *dg = data_or_null(gate_gradient), *du = data_or_null(up_gradient);
    const float *gp = g.data_ptr<float>(), *x = gate.data_ptr<float>(), *u = up.data_ptr<float>();
    at::parallel_for(0, gate.numel(), kGrain, [&](std::int64_t begin, std::int64_t end) {
      backward_kernel(gp + begin, x + begin, u + begin, dg == nullptr ? nullptr : dg + begin,
                      du == nullptr ? nullptr : du + begin, end - begin);
    });
    return {gate_gradient, up_gradient};
  }
};

bool fused(const at::Tensor& gate, const at::Tensor& up) {
  return gate.device().is_cpu() && up.device().is_cpu() && gate.scalar_type() == at::kFloat &&
         up.scalar_type() == at::kFloat && gate.sizes() == up.sizes() && gate.is_contiguous() &&
         up.is_contiguous();
}

}  // namespace

at::Tensor silu_mul(const at::Tensor& gate, const at::Tensor& up) {
  if (!fused(gate, up)) return at::silu(gate) * up;
  return SiluMul::apply(gate, up);
}

}  // namespace neuroscale::model
