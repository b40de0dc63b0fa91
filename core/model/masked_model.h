// The pretraining model: the BIT encoder plus one read-out per subject that reconstructs
// each token's P*C values from the encoder output.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/moduledict.h>

#include "core/model/bit_encoder.h"

namespace neuroscale::model {

struct MaskedModelOptions {
  /// the encoder (and its subject table)
  TORCH_ARG(BitEncoderOptions, encoder) = {};
  /// LayerNorm(P*C) at the end of each read-out, as the reference
  TORCH_ARG(bool, readout_norm) = true;
};

class MaskedModelImpl : public torch::nn::Module {
 public:
  explicit MaskedModelImpl(const MaskedModelOptions& options);

  // Arguments as BitEncoderImpl::forward; returns the reconstruction [B, N, P*C], or with
  // `rows` (int64 indices into the B*N tokens) only those tokens' reconstructions [M, P*C]:
  // the task scores masked tokens only, so it skips reading out the rest.
  at::Tensor forward(const at::Tensor& tokens, const at::Tensor& padding,
                     const at::Tensor& positions, std::int64_t subject, const at::Tensor& mask,
                     const at::Tensor& rows = {});

  MaskedModelOptions options;
  BitEncoder encoder{nullptr};
  torch::nn::ModuleDict read_out{nullptr};

 private:
  std::vector<ReadOut> read_outs_;  // the read_out entries, by subject index
};
TORCH_MODULE(MaskedModel);

}  // namespace neuroscale::model
