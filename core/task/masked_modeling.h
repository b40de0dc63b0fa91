// Masked time-patch modelling, the BIT pretraining task: patch the (augmented) features,
// mask spans of tokens, reconstruct the raw tokens with the subject's read-out, and score
// only masked elements inside the trial. Sums: loss, element count, squared error, target
// sum and squared sum, so R^2 (pooled over masked elements) can be formed after reduction.
#pragma once

#include <torch/arg.h>

#include "core/model/augment.h"
#include "core/model/masked_model.h"
#include "core/task/losses.h"
#include "core/task/span_masking.h"
#include "core/task/task.h"

namespace neuroscale::task {

struct MaskedModelingOptions {
  /// the model (encoder, subjects, read-outs)
  TORCH_ARG(model::MaskedModelOptions, model) = {};
  /// input augmentations
  TORCH_ARG(model::AugmentOptions, augment) = {};
  /// span masking
  TORCH_ARG(SpanMaskOptions, masking) = {};
  /// reconstruction loss
  TORCH_ARG(ReconstructionLoss, loss) = ReconstructionLoss::kMse;
  /// Poisson NLL: predictions are log-rates
  TORCH_ARG(bool, poisson_log_input) = true;
  /// seed of the masking streams, keyed by (seed, step) for the span length and
  /// (seed, step, trial id) for each trial's spans, so masks do not depend on how trials are
  /// grouped into micro-batches and ranks
  TORCH_ARG(std::uint64_t, seed) = 0;
};

class MaskedModelingTask : public Task {
 public:
  explicit MaskedModelingTask(const MaskedModelingOptions& options);

  std::string name() const override { return "masked_modeling"; }
  torch::nn::Module& module() override;
  TaskOutput forward(const Batch& batch, const StepContext& context) override;
  std::vector<std::string> sum_names() const override;
  std::map<std::string, double> metrics(const std::vector<double>& totals) const override;
  double count(const Batch& batch, const StepContext& context) const override;
  bool subject_specific(const std::string& parameter_name) const override;

  model::MaskedModel& model() { return model_; }
  const MaskedModelingOptions& options() const { return options_; }

  // The mask forward() uses for `batch` at `context` ([B, N] bool, CPU).
  at::Tensor mask_for(const Batch& batch, const StepContext& context) const;

 private:
  MaskedModelingOptions options_;
  model::MaskedModel model_;
};

}  // namespace neuroscale::task
