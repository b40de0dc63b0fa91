// BIT's end-to-end model: the neural encoder's tokens, projected into a causal LM's embedding
// width, are spliced between the two parts of a text prompt, and the LM writes the sentence.
//
//   features -> BIT encoder [B, N, d] -> projector -> [B, N, hidden]
//   sequence  = embed(prompt A) + neural tokens (the trial's valid ones) + embed(prompt B)
//               + embed(sentence + EOS)
//
// Sequences are compact (no padding inside them; right-padded to the batch's longest) with
// consecutive positions. The modality aligner maps the mean of a trial's projected neural
// tokens and the mean of its sentence's input embeddings to `aligner_width` each (two
// Linear layers), L2-normalised, and scores every pair with a learnable logit scale
// (initially 1 / temperature, capped at `max_logit_scale`): the symmetric InfoNCE over the
// batch's pairs. An optional CTC head on the encoder keeps phoneme decoding as an auxiliary
// objective (and gives candidates an acoustic score).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>

#include <cstdint>
#include <vector>

#include "core/llm/causal_lm.h"
#include "core/model/bit_encoder.h"

namespace neuroscale::llm {

struct NeuralLmOptions {
  /// the neural encoder (and its subject table)
  TORCH_ARG(model::BitEncoderOptions, encoder) = {};
  /// 0: the projector is one Linear(d, hidden); > 0: Linear(d, this)-ReLU-Linear(this, hidden)
  TORCH_ARG(std::int64_t, projector_hidden) = 0;
  /// width of the aligner's two projections
  TORCH_ARG(std::int64_t, aligner_width) = 512;
  /// the aligner's initial temperature (logit scale 1 / this)
  TORCH_ARG(double, temperature) = 0.1;
  /// the logit scale's ceiling
  TORCH_ARG(double, max_logit_scale) = 100.0;
  /// a CTC head of this many classes on the encoder (0: none)
  TORCH_ARG(std::int64_t, ctc_classes) = 0;
};

// One batch's input sequences for the LM.
struct NeuralLmSequences {
  at::Tensor embeddings;  ///< [B, L, hidden] in the LM's dtype, right-padded with zeros
  at::Tensor mask;        ///< [B, L] int64: 1 for real positions
  at::Tensor predictors;  ///< [T] int64: flat index b * L + t of each position predicting a target
  at::Tensor targets;     ///< [T] int64: the token each predicts (sentence and EOS)
  std::vector<std::int64_t> starts;       ///< per trial: the position of its first target token
  std::vector<std::int64_t> target_rows;  ///< per target: its sequence
};

class NeuralLmImpl : public torch::nn::Module {
 public:
  // `lm` is registered as the submodule "llm" (its parameters' requires_grad untouched).
  NeuralLmImpl(const NeuralLmOptions& options, CausalLm lm);

  // The encoder's outputs [B, N, d] (arguments as BitEncoderImpl::forward).
  at::Tensor encode(const at::Tensor& tokens, const at::Tensor& padding,
                    const at::Tensor& positions, std::int64_t subject, const at::Tensor& mask = {});
  // Encoder outputs -> [B, N, hidden] in float32.
  at::Tensor project(const at::Tensor& encoded);

  // The sequences of a batch: `projected` [B, N, hidden], `valid` [B] tokens per trial
  // (CPU int64), the prompt's two parts, and each trial's target ids (sentence then EOS;
  // empty: the prompt and neural tokens only, for generation). Throws UsageError when a
  // sequence would exceed the LM's context.
  NeuralLmSequences sequences(const at::Tensor& projected, const at::Tensor& valid,
                              const std::vector<std::int64_t>& prompt_a,
                              const std::vector<std::int64_t>& prompt_b,
                              const std::vector<std::vector<std::int64_t>>& targets);

  // What generation continues: prompt A, the trial's valid neural tokens and prompt B as
  // input embeddings [B, L, hidden] in the LM's dtype, left-padded with zeros, and their
  // mask [B, L] (1 real) (llm::generate).
  std::pair<at::Tensor, at::Tensor> generation_inputs(const at::Tensor& projected,
                                                      const at::Tensor& valid,
                                                      const std::vector<std::int64_t>& prompt_a,
                                                      const std::vector<std::int64_t>& prompt_b);

  // The summed cross-entropy (natural log, float32) of the targets of `s`.
  at::Tensor cross_entropy_sum(const NeuralLmSequences& s);
  // Each sequence's summed log-probability of its targets (natural log; 0 for a sequence
  // without targets): how an ensemble scores candidate sentences.
  std::vector<double> target_log_likelihoods(const NeuralLmSequences& s);

  // The aligner's symmetric InfoNCE (mean over the batch; 0 for a batch of one) between the
  // means of `projected` over each trial's `valid` tokens and the means of the LM's input
  // embeddings of `sentences` (ids without EOS; a trial without any contributes zeros).
  at::Tensor contrastive_loss(const at::Tensor& projected, const at::Tensor& valid,
                              const std::vector<std::vector<std::int64_t>>& sentences);

  // exp(logit_scale), capped.
  at::Tensor logit_scale_value() const;

  const NeuralLmOptions& options() const { return options_; }

  model::BitEncoder encoder{nullptr};
  torch::nn::Sequential projector{nullptr};
  CausalLm llm{nullptr};
  torch::nn::Linear neural_align{nullptr}, text_align{nullptr};
  at::Tensor logit_scale;               ///< [] ln of the aligner's logit scale
  torch::nn::Linear ctc_head{nullptr};  ///< null without one

 private:
  NeuralLmOptions options_;
};
TORCH_MODULE(NeuralLm);

}  // namespace neuroscale::llm
