// Projections that read the same input (attention's q, k and v; the MLP's gate and up) run
// as one GEMM over their stacked packed base weights, when those are packed (packed_gemm.h),
// each layer's adapter added to its share of the result. One wide product in place of two
// or three narrower ones is faster forward, and backward the input's gradient is one GEMM
// over the concatenated output gradients instead of one per layer plus their sum. Unpacked,
// each layer runs on its own: the base weights stay the memory-mapped originals.
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/model/lora.h"

namespace neuroscale::model {

class PackedWeight;

class FusedProjections {
 public:
  FusedProjections() = default;
  // The layers share their input width; their modules stay registered where they are.
  explicit FusedProjections(std::vector<LoraLinear> layers);

  // Packs the layers' base weights stacked as one, when every one is packable (float32 CPU,
  // frozen); otherwise packs each packable layer alone. Returns the packs' bytes.
  std::int64_t pack(bool with_gradient);

  // Whether the layers are packed as one stacked weight.
  bool stacked() const { return packed_ != nullptr; }

  // Each layer's output for x [..., in], in the layers' order.
  std::vector<at::Tensor> forward(const at::Tensor& x);

 private:
  std::vector<at::Tensor> weights() const;

  std::vector<LoraLinear> layers_;
  std::shared_ptr<PackedWeight> packed_;  ///< the stacked pack, when there is one
};

}  // namespace neuroscale::model
