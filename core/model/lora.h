// Low-rank adaptation (LoRA, Hu et al. 2021) of a Linear layer, as PEFT's `lora.Linear`:
// y = x Wᵀ + b + (alpha / r) · (dropout(x) Aᵀ) Bᵀ, with W and b the frozen base weights.
#pragma once

#include <torch/arg.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <memory>
#include <string>

namespace neuroscale::model {

class PackedWeight;

// The adapter's shape; rank 0 means no adapter (the layer is a plain Linear). Defaults are
// PEFT's LoraConfig as the brain-tuning reference sets it (lora_alpha 32, lora_dropout 0.1).
struct LoraOptions {
  // Throws ConfigError naming the field ("lora.rank", ...) when a value is out of range.
  void validate() const;

  /// rank r of the update B·A; 0 = no adapter
  TORCH_ARG(std::int64_t, rank) = 0;
  /// scale numerator: the update is multiplied by alpha / r
  TORCH_ARG(double, alpha) = 32.0;
  /// dropout on the adapter's input while training (the base path never drops)
  TORCH_ARG(double, dropout) = 0.1;
};

// A Linear layer whose parameters are registered under the names a Hugging Face checkpoint
// uses, `weight` [out, in] and `bias` [out] (unless `with_bias` is false), plus, when rank > 0,
// `lora_A` [r, in] (kaiming_uniform a=√5, as nn.Linear and PEFT) and `lora_B` [out, r] (zeros, so a
// fresh adapter leaves the output unchanged). The base weight and bias start as nn.Linear's
// defaults; they are meant to be loaded from a checkpoint. Dropout on the adapter path is
// active only while the module is training.
class LoraLinearImpl : public torch::nn::Module {
 public:
  // `initialize` false leaves the base weight and bias uninitialised (not even touched, so
  // a large model costs no memory until its weights are loaded over them).
  LoraLinearImpl(std::int64_t in_features, std::int64_t out_features, const LoraOptions& lora = {},
                 bool with_bias = true, bool initialize = true);

  // x [..., in] -> [..., out].
  at::Tensor forward(const at::Tensor& x);

  // alpha / r (0 without an adapter).
  double scaling() const;
  bool has_adapter() const { return lora.rank() > 0; }

  // Keeps the base weight packed for MKL's GEMM (core/model/packed_gemm.h) from now on: the
  // product x·Wᵀ and, `with_gradient`, the input's gradient g·W. Returns the packs' bytes
  // (private memory), 0 when the weight is not packable (not float32 on the CPU, or it
  // trains). A pack follows the weight: when the weight is modified or replaced, the next
  // forward packs it again (or stops using packs once the weight is no longer packable).
  std::int64_t pack_weight(bool with_gradient);

  std::int64_t in_features, out_features;
  LoraOptions lora;
  at::Tensor weight, bias;    ///< bias undefined without one
  at::Tensor lora_A, lora_B;  ///< undefined when rank is 0

 private:
  // The current pack of `weight`, or null (none asked for, or no longer packable).
  const PackedWeight* current_pack();
  // base [N, out] (rows [N, in] times the base weight, plus bias) plus the adapter's update
  // of `rows`; `base` itself without an adapter.
  at::Tensor add_update(const at::Tensor& rows, const at::Tensor& base);

  std::shared_ptr<PackedWeight> packed_;
};
TORCH_MODULE(LoraLinear);

// Whether a dotted parameter name ("encoder.layers.0.attention.q_proj.lora_A") names an
// adapter parameter.
bool is_lora_parameter(const std::string& name);

// Sets requires_grad = false on every parameter of `module` that is not an adapter
// parameter, and true on every adapter parameter. Returns the number of trainable values.
std::int64_t freeze_all_but_lora(torch::nn::Module& module);

}  // namespace neuroscale::model
