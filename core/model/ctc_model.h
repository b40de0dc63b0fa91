// The fine-tuning model: the BIT encoder (per-subject read-in, shared Transformer) with one
// CTC head over the 41 phoneme classes, shared by every subject (decode/phonemes.h):
// Linear(d, 41) then log-softmax, one distribution per token (P bins).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include "core/model/bit_encoder.h"

namespace neuroscale::model {

struct CtcModelOptions {
  /// the encoder (and its subject table)
  TORCH_ARG(BitEncoderOptions, encoder) = {};
  /// output classes (blank + 39 phonemes + SIL)
  TORCH_ARG(std::int64_t, classes) = 41;
};

class CtcModelImpl : public torch::nn::Module {
 public:
  explicit CtcModelImpl(const CtcModelOptions& options);

  // Arguments as BitEncoderImpl::forward (`mask`: time-mask augmentation, or undefined).
  // Returns log-probabilities [B, N, classes] in float32.
  at::Tensor forward(const at::Tensor& tokens, const at::Tensor& padding,
                     const at::Tensor& positions, std::int64_t subject,
                     const at::Tensor& mask = {});

  CtcModelOptions options;
  BitEncoder encoder{nullptr};
  torch::nn::Linear head{nullptr};
};
TORCH_MODULE(CtcModel);

}  // namespace neuroscale::model
