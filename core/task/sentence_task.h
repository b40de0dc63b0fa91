// BIT's end-to-end fine-tuning (core/llm/neural_lm.h): each trial's sentence, tokenized and
// followed by EOS, is the target of the LM after the prompt and the trial's projected neural
// tokens. The loss of a micro-batch is, as BIT's:
//   sum of the targets' cross-entropy + aligner_weight * mean InfoNCE of the batch
//   + ctc_weight * sum of the trials' CTC losses (optional; needs the CTC head)
// and the trainer divides it by the trials. Sums: loss, trials, cross-entropy and target
// tokens (so the per-token loss and perplexity are ratios of sums), the aligner's loss
// weighted by trials, and the CTC loss.
#pragma once

#include <torch/arg.h>

#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/llm/neural_lm.h"
#include "core/model/augment.h"
#include "core/task/span_masking.h"
#include "core/task/task.h"

namespace neuroscale::task {

struct SentenceTaskOptions {
  /// input augmentations (as CTC fine-tuning)
  TORCH_ARG(model::AugmentOptions, augment) = {};
  /// time masking while training (ratio 0: off)
  TORCH_ARG(SpanMaskOptions, masking) = {};
  /// seed of the masking streams
  TORCH_ARG(std::uint64_t, seed) = 0;
  /// weight of the aligner's InfoNCE (0: off)
  TORCH_ARG(double, aligner_weight) = 1.0;
  /// weight of the auxiliary CTC loss (0: off; > 0 needs the model's CTC head)
  TORCH_ARG(double, ctc_weight) = 0.0;
  /// the prompt's token ids before and after the neural tokens
  TORCH_ARG(std::vector<std::int64_t>, prompt_a) = {};
  TORCH_ARG(std::vector<std::int64_t>, prompt_b) = {};
  /// the LM's end-of-sequence id, appended to every target
  TORCH_ARG(std::int64_t, eos) = -1;
};

// A sentence's token ids (no special tokens).
using Tokenize = std::function<std::vector<std::int64_t>(const std::string&)>;

class SentenceTask : public Task {
 public:
  // Throws ConfigError for a negative weight, a missing EOS, or ctc_weight without a head.
  SentenceTask(const SentenceTaskOptions& options, llm::NeuralLm model, Tokenize tokenize);

  std::string name() const override { return "sentence"; }
  torch::nn::Module& module() override;
  // Throws DataError naming the trial when a trial has no sentence.
  TaskOutput forward(const Batch& batch, const StepContext& context) override;
  std::vector<std::string> sum_names() const override;
  // loss (per trial), token_loss and perplexity (per target token), contrastive, ctc.
  std::map<std::string, double> metrics(const std::vector<double>& totals) const override;
  double count(const Batch& batch, const StepContext& context) const override;
  bool subject_specific(const std::string& parameter_name) const override;

  llm::NeuralLm& model() { return model_; }
  const SentenceTaskOptions& options() const { return options_; }

  // The projected neural tokens [B, N, hidden] and tokens per trial [B] (CPU), no masking:
  // what decoding feeds the LM.
  std::pair<at::Tensor, at::Tensor> neural_tokens(const Batch& batch);
  // What decoding needs of one encoder pass: the projected neural tokens, tokens per trial
  // (CPU) and, with `phonemes`, the CTC head's log-probabilities [B, N, classes] (float32).
  // Throws ConfigError for `phonemes` on a model without a CTC head.
  struct Decoding {
    at::Tensor projected, valid, phoneme_log_probs;
  };
  Decoding decoding_inputs(const Batch& batch, bool phonemes);
  // The trial's target ids (sentence tokens, without EOS), cached by trial.
  const std::vector<std::int64_t>& sentence_ids(std::int64_t trial, const std::string& text);

 private:
  SentenceTaskOptions options_;
  llm::NeuralLm model_;
  Tokenize tokenize_;
  std::unordered_map<std::int64_t, std::vector<std::int64_t>> cache_;
};

}  // namespace neuroscale::task
