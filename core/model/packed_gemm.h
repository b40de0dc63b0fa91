// Frozen float32 weights kept a second time in MKL's packed-GEMM layout, so that products
// with them skip re-packing the weight on every call (cblas_sgemm_pack / _compute).
//
// Why: a GEMM with few rows per call (a LoRA step of a 100M-parameter LM has 256 tokens per
// micro-batch) spends a fifth of MKL's time copying the weight into its blocked layout; a
// frozen weight can be packed once. The price is memory: each pack is a private copy of the
// weight (one for x·Wᵀ, one more for g·W when training), so the node-wide sharing of
// memory-mapped base weights (io/llm/llm_weights.h) is lost for packed weights. Packing is
// therefore opt-in (CausalLmImpl::pack_frozen_weights, `model.pack_frozen_weights`).
//
// Availability: MKL's packed GEMM is looked up at run time in the process (PyTorch's wheels
// export it from libtorch_cpu; Debian's LibTorch, built on OpenBLAS, does not).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>

namespace neuroscale::model {

// Whether this process has MKL's packed single-precision GEMM.
bool packed_gemm_available();

// Whether `weight` can and should be packed: packed GEMM available, float32, CPU, 2-D, and
// frozen (no requires_grad: a weight that trains changes every step).
bool packable(const at::Tensor& weight);

// A weight W [out, in] and its packs. The weight is referenced, not copied: while it keeps
// its storage and version (no in-place change), the packs are current. Not thread-safe to
// build; products may run from any thread.
class PackedWeight {
 public:
  // Packs `weight` (float32, CPU, 2-D) for x·Wᵀ, and for g·W too when `with_gradient`.
  // Throws UsageError when the weight is of another kind or packing is unavailable.
  PackedWeight(const at::Tensor& weight, bool with_gradient);

  // The weight has not been given new storage or modified in place since it was packed.
  bool current() const;
  // current(), and `weight` is the very tensor packed (not another one put in its place).
  bool current_for(const at::Tensor& weight) const;
  bool has_gradient_pack() const { return gradient_pack_.defined(); }
  // The pack of W for g·W (undefined without one).
  const at::Tensor& gradient_pack() const { return gradient_pack_; }
  // Bytes allocated for the packs, as MKL asks: more than it fills (its resident part is
  // about the weights' bytes per direction), all private to the process.
  std::int64_t bytes() const;
  std::int64_t out_features() const { return out_; }
  std::int64_t in_features() const { return in_; }

  // out [rows, out] = x [rows, in] · Wᵀ + beta · out. x float32 contiguous.
  void times_transposed_out(at::Tensor& out, const at::Tensor& x, float beta = 0.0f) const;
  // out [rows, in] = g [rows, out] · W. Needs the gradient pack.
  void times_out(at::Tensor& out, const at::Tensor& g) const;

  // Whether linear(x, bias) can stand in for the unpacked product: x is float32 on the CPU,
  // CPU autocast is off, the bias (if any) is frozen, and the gradient pack is there if x
  // will need a gradient.
  bool serves(const at::Tensor& x, const at::Tensor& bias) const;

  // x [rows, in] -> x·Wᵀ + bias [rows, out], differentiable in x (its gradient g·W comes
  // from the gradient pack); W and bias receive no gradient (they are frozen).
  at::Tensor linear(const at::Tensor& x, const at::Tensor& bias) const;

 private:
  at::Tensor weight_;
  const void* data_ = nullptr;  ///< the weight's storage when packed
  std::int64_t version_ = 0;    ///< and its version
  std::int64_t out_ = 0, in_ = 0;
  at::Tensor forward_pack_, gradient_pack_;  ///< byte buffers in MKL's layout
};

// `pack` while it is current for `weight`; when the weight changed or was replaced, a new
// pack of `weight` in the same directions if it is still packable, else none. Returns the
// pack in `pack` now (null for none).
const PackedWeight* refresh_pack(std::shared_ptr<PackedWeight>& pack, const at::Tensor& weight);

}  // namespace neuroscale::model
