#include "core/model/packed_gemm.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <dlfcn.h>
#include <torch/autograd.h>

#include <cstdint>
#include <limits>
#include <vector>

#include "core/autocast.h"
#include "core/check.h"

namespace neuroscale::model {
namespace {

// CBLAS's enumerators (mkl_cblas.h; the values every CBLAS shares).
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112, kPacked = 151, kBMatrix = 162;

// MKL's packed single-precision GEMM, LP64 interface (MKL_INT = int), as libtorch_cpu
// exports it. Looked up once; all null when the process has no MKL.
struct MklPackedGemm {
  using GetSize = std::size_t (*)(int identifier, int m, int n, int k);
  using Pack = void (*)(int layout, int identifier, int trans, int m, int n, int k, float alpha,
                        const float* src, int ld, float* dest);
  using Compute = void (*)(int layout, int transa, int transb, int m, int n, int k, const float* a,
                           int lda, const float* b, int ldb, float beta, float* c, int ldc);
  GetSize get_size = nullptr;
  Pack pack = nullptr;
  Compute compute = nullptr;
};

// Whether `f` computes a small product right: the symbols could come from an MKL built with
// 64-bit integers (ILP64), whose arguments these declarations would pass wrongly.
bool gives_known_product(const MklPackedGemm& f) {
  const float a[2 * 3] = {1, 2, 3, 4, 5, 6};   // [2, 3]
  const float w[2 * 3] = {1, 0, -1, 2, 1, 0};  // W [2, 3]; C = A·Wᵀ
  const float expected[2 * 2] = {-2, 4, -2, 13};
  const auto bytes = f.get_size(kBMatrix, 2, 2, 3);
  if (bytes == 0 || bytes > (std::size_t{1} << 30)) return false;
  std::vector<float> pack((bytes + sizeof(float) - 1) / sizeof(float) + 16);
  // MKL wants the buffer 64-byte aligned.
  auto* aligned = reinterpret_cast<float*>((reinterpret_cast<std::uintptr_t>(pack.data()) + 63) &
                                           ~std::uintptr_t{63});
  f.pack(kRowMajor, kBMatrix, kTrans, 2, 2, 3, 1.0f, w, 3, aligned);
  float c[2 * 2] = {0, 0, 0, 0};
  f.compute(kRowMajor, kNoTrans, kPacked, 2, 2, 3, a, 3, aligned, 2, 0.0f, c, 2);
  return std::equal(c, c + 4, expected);
}

const MklPackedGemm& mkl() {
  static const MklPackedGemm found = [] {
    MklPackedGemm f;
    f.get_size =
        reinterpret_cast<MklPackedGemm::GetSize>(dlsym(RTLD_DEFAULT, "cblas_sgemm_pack_get_size"));
    f.pack = reinterpret_cast<MklPackedGemm::Pack>(dlsym(RTLD_DEFAULT, "cblas_sgemm_pack"));
    f.compute =
        reinterpret_cast<MklPackedGemm::Compute>(dlsym(RTLD_DEFAULT, "cblas_sgemm_compute"));
    if (!f.get_size || !f.pack || !f.compute || !gives_known_product(f)) f = {};
    return f;
  }();
  return found;
}

// A dimension as MKL's 32-bit int, or UsageError naming it.
int mkl_int(std::int64_t value, const char* what) {
  NS_CHECK_AS(UsageError, value >= 0 && value <= std::numeric_limits<int>::max(),
              "packed GEMM: ", what, " ", value, " exceeds MKL's 32-bit sizes");
  return static_cast<int>(value);
}

// The pack of op(B) [k, n] for C = A·op(B): `weight` [out, in] as Wᵀ (k = in, n = out) when
// `transpose`, else as W (k = out, n = in). Packed with the rows of a typical call (MKL's
// B layout does not depend on them; the tests check other row counts).
at::Tensor pack_b(const at::Tensor& weight, bool transpose) {
  const auto out = mkl_int(weight.size(0), "rows"), in = mkl_int(weight.size(1), "columns");
  const int n = transpose ? out : in, k = transpose ? in : out;
  constexpr int kTypicalRows = 256;
  const auto bytes = mkl().get_size(kBMatrix, kTypicalRows, n, k);
  // at::empty's CPU allocations are 64-byte aligned, as MKL asks of packed buffers.
  auto pack = at::empty({static_cast<std::int64_t>(bytes)}, at::kByte);
  mkl().pack(kRowMajor, kBMatrix, transpose ? kTrans : kNoTrans, kTypicalRows, n, k, 1.0f,
             weight.data_ptr<float>(), in, reinterpret_cast<float*>(pack.data_ptr()));
  return pack;
}

// out [m, n] = a [m, k] · op(B) + beta · out, op(B) given by its pack.
void compute(at::Tensor& out, const at::Tensor& a, const at::Tensor& pack, std::int64_t n,
             std::int64_t k, float beta) {
  NS_CHECK_AS(UsageError,
              a.dim() == 2 && a.size(1) == k && a.scalar_type() == at::kFloat && a.is_cpu(),
              "packed GEMM expects float32 CPU rows [m, ", k, "], got ", a.sizes(), " ",
              a.scalar_type(), " on ", a.device());
  const auto m = a.size(0);
  NS_CHECK_AS(UsageError,
              out.dim() == 2 && out.size(0) == m && out.size(1) == n &&
                  out.scalar_type() == at::kFloat && out.is_contiguous(),
              "packed GEMM expects a contiguous float32 output [", m, ", ", n, "], got ",
              out.sizes(), " ", out.scalar_type());
  if (m == 0) return;
  const auto rows = a.contiguous();
  mkl().compute(kRowMajor, kNoTrans, kPacked, mkl_int(m, "rows"), static_cast<int>(n),
                static_cast<int>(k), rows.data_ptr<float>(), static_cast<int>(k),
                reinterpret_cast<const float*>(pack.data_ptr()), static_cast<int>(n), beta,
                out.data_ptr<float>(), static_cast<int>(n));
}

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// x·Wᵀ + bias by the forward pack; x's gradient g·W by the gradient pack. The weight's
// packs and the bias come as pointers (autograd takes every tensor argument for an input,
// and these are neither differentiated nor always defined); the gradient pack is saved by
// value, so the graph keeps it alive.
struct PackedLinear : public torch::autograd::Function<PackedLinear> {
  static at::Tensor forward(AutogradContext* context, const at::Tensor& x,
                            const PackedWeight* weight, const at::Tensor* bias) {
    // The bias is copied into the output (beta = 1 adds the product to it); never
    // contiguous() of its expansion, which for one row is the bias itself.
    auto y = at::empty({x.size(0), weight->out_features()}, x.options());
    if (bias->defined()) y.copy_(bias->expand_as(y));
    weight->times_transposed_out(y, x, bias->defined() ? 1.0f : 0.0f);
    context->saved_data["gradient_pack"] = weight->gradient_pack();
    context->saved_data["out"] = weight->out_features();
    context->saved_data["in"] = weight->in_features();
    return y;
  }

  static tensor_list backward(AutogradContext* context, tensor_list grads) {
    const auto pack = context->saved_data["gradient_pack"].toTensor();
    const auto out = context->saved_data["out"].toInt(), in = context->saved_data["in"].toInt();
    NS_CHECK_AS(UsageError, pack.defined(),
                "a weight packed without its gradient pack was used in training: pack it "
                "with_gradient");
    const auto g = grads[0].to(at::kFloat).contiguous();
    auto x_gradient = at::empty({g.size(0), in}, g.options());
    compute(x_gradient, g, pack, in, out, 0.0f);
    return {x_gradient, at::Tensor(), at::Tensor()};
  }
};

}  // namespace

bool packed_gemm_available() { return mkl().compute != nullptr; }

bool packable(const at::Tensor& weight) {
  return packed_gemm_available() && weight.defined() && weight.dim() == 2 &&
         weight.scalar_type() == at::kFloat && weight.is_cpu() && !weight.requires_grad();
}

PackedWeight::PackedWeight(const at::Tensor& weight, bool with_gradient) {
  NS_CHECK_AS(UsageError, packed_gemm_available(),
              "packed weights need MKL's packed GEMM (cblas_sgemm_pack), which this process's "
              "LibTorch does not export (PyTorch's wheels do)");
  NS_CHECK_AS(UsageError,
              weight.defined() && weight.dim() == 2 && weight.scalar_type() == at::kFloat &&
                  weight.is_cpu(),
              "only a float32 CPU weight [out, in] can be packed, got ",
              weight.defined() ? weight.sizes() : at::IntArrayRef{}, " ",
              weight.defined() ? weight.scalar_type() : at::kFloat, " on ",
              weight.defined() ? weight.device() : at::Device(at::kCPU));
  weight_ = weight;
  data_ = weight.data_ptr();
  version_ = weight._version();
  out_ = weight.size(0);
  in_ = weight.size(1);
  const auto source = weight.contiguous();
  forward_pack_ = pack_b(source, /*transpose=*/true);
  if (with_gradient) gradient_pack_ = pack_b(source, /*transpose=*/false);
}

bool PackedWeight::current() const {
  return weight_.data_ptr() == data_ && weight_._version() == version_ && weight_.dim() == 2 &&
         weight_.size(0) == out_ && weight_.size(1) == in_;
}

bool PackedWeight::current_for(const at::Tensor& weight) const {
  return weight_.is_same(weight) && current();
}

std::int64_t PackedWeight::bytes() const {
  return forward_pack_.numel() + (gradient_pack_.defined() ? gradient_pack_.numel() : 0);
}

void PackedWeight::times_transposed_out(at::Tensor& out, const at::Tensor& x, float beta) const {
  compute(out, x, forward_pack_, out_, in_, beta);
}

void PackedWeight::times_out(at::Tensor& out, const at::Tensor& g) const {
  NS_CHECK_AS(UsageError, has_gradient_pack(),
              "g·W needs the gradient pack: pack the weight with_gradient");
  compute(out, g, gradient_pack_, in_, out_, 0.0f);
}

bool PackedWeight::serves(const at::Tensor& x, const at::Tensor& bias) const {
  const bool x_gradient = at::GradMode::is_enabled() && x.requires_grad();
  // Under CPU autocast the product belongs to bf16: the packs would run it in float32.
  return x.scalar_type() == at::kFloat && x.is_cpu() && !autocast_enabled(at::kCPU) &&
         (!bias.defined() || !bias.requires_grad()) && (!x_gradient || has_gradient_pack());
}

at::Tensor PackedWeight::linear(const at::Tensor& x, const at::Tensor& bias) const {
  NS_CHECK_AS(UsageError, !bias.defined() || (bias.dim() == 1 && bias.size(0) == out_),
              "packed linear expects a bias [", out_, "], got ", bias.sizes());
  const auto b = bias.defined() ? bias.detach().to(at::kFloat) : at::Tensor();
  return PackedLinear::apply(x, this, &b);
}

const PackedWeight* refresh_pack(std::shared_ptr<PackedWeight>& pack, const at::Tensor& weight) {
  if (pack == nullptr || pack->current_for(weight)) return pack.get();
  const bool with_gradient = pack->has_gradient_pack();
  pack.reset();
  if (packable(weight)) pack = std::make_shared<PackedWeight>(weight, with_gradient);
  return pack.get();
}

}  // namespace neuroscale::model
