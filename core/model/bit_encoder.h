// The BIT neural encoder: per-subject read-in, a learned mask token that replaces masked
// tokens after read-in, embedding dropout, and the shared Transformer. Subjects come from
// the corpus' subject table (filled by the caller; modules never read files).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/moduledict.h>

#include <string>
#include <vector>

#include "core/model/read_in_out.h"
#include "core/model/transformer.h"

namespace neuroscale::model {

struct SubjectSpec {
  std::string name;           ///< module key: non-empty, no '.'
  std::int64_t channels = 0;  ///< feature columns C of this subject
};

struct BitEncoderOptions {
  /// bins per token P (5 x 20 ms = 100 ms in the reference)
  TORCH_ARG(std::int64_t, patch_size) = 5;
  /// the shared Transformer
  TORCH_ARG(TransformerOptions, transformer) = {};
  /// dropout on token embeddings after read-in
  TORCH_ARG(double, embedding_dropout) = 0.2;
  /// one read-in per subject, in corpus subject-id order
  TORCH_ARG(std::vector<SubjectSpec>, subjects) = {};
};

// Throws UsageError naming the subject when a name or channel count is unusable.
void validate_subjects(const std::vector<SubjectSpec>& subjects);

class BitEncoderImpl : public torch::nn::Module {
 public:
  explicit BitEncoderImpl(const BitEncoderOptions& options);

  // tokens [B, N, P*C] of subject `subject` (index into options.subjects); padding [B, N]
  // bool; positions [N] bin index per token; `mask` [B, N] bool (true = replace by the mask
  // token) or undefined. Returns [B, N, d].
  at::Tensor forward(const at::Tensor& tokens, const at::Tensor& padding,
                     const at::Tensor& positions, std::int64_t subject,
                     const at::Tensor& mask = {});

  ReadIn read_in_for(std::int64_t subject) const;
  std::int64_t token_width(std::int64_t subject) const;

  BitEncoderOptions options;
  torch::nn::ModuleDict read_in{nullptr};
  at::Tensor mask_token;  ///< [d], N(0, 0.02) at construction
  Transformer transformer{nullptr};

 private:
  std::vector<ReadIn> read_ins_;  // the read_in entries, by subject index
};
TORCH_MODULE(BitEncoder);

}  // namespace neuroscale::model
