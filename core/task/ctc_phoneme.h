// Phoneme decoding with CTC, the BIT fine-tuning task: the (augmented) features are patched,
// optionally time-masked as in pretraining (the mask token replaces masked tokens: the
// reference keeps masking on while fine-tuning), encoded, and scored with the CTC loss
// (blank 0) against each trial's phoneme labels. Trials whose loss is infinite (more labels
// than the tokens can align) contribute zero loss and gradient (zero_infinity) and are
// counted. Sums: loss, trials, infinite trials, and the greedy decoding's phoneme edits and
// reference phonemes, so the phoneme error rate is a ratio of summed counts.
#pragma once

#include <torch/arg.h>

#include "core/model/augment.h"
#include "core/model/ctc_model.h"
#include "core/task/span_masking.h"
#include "core/task/task.h"

namespace neuroscale::task {

struct CtcPhonemeOptions {
  /// the encoder and head
  TORCH_ARG(model::CtcModelOptions, model) = {};
  /// input augmentations (white noise, constant offset, smoothing)
  TORCH_ARG(model::AugmentOptions, augment) = {};
  /// time masking while training (ratio 0: off)
  TORCH_ARG(SpanMaskOptions, masking) = {};
  /// seed of the masking streams (as MaskedModelingOptions::seed)
  TORCH_ARG(std::uint64_t, seed) = 0;
};

class CtcPhonemeTask : public Task {
 public:
  explicit CtcPhonemeTask(const CtcPhonemeOptions& options);

  std::string name() const override { return "ctc_phoneme"; }
  torch::nn::Module& module() override;
  TaskOutput forward(const Batch& batch, const StepContext& context) override;
  std::vector<std::string> sum_names() const override;
  std::map<std::string, double> metrics(const std::vector<double>& totals) const override;
  // The loss sums over trials.
  double count(const Batch& batch, const StepContext& context) const override;
  bool subject_specific(const std::string& parameter_name) const override;

  model::CtcModel& model() { return model_; }
  const CtcPhonemeOptions& options() const { return options_; }

  // Log-probabilities [B, N, 41] and each trial's token count [B] (int64, CPU), no masking:
  // what evaluation decodes.
  std::pair<at::Tensor, at::Tensor> log_probs(const Batch& batch);

 private:
  CtcPhonemeOptions options_;
  model::CtcModel model_;
};

}  // namespace neuroscale::task
