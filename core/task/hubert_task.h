// HuBERT's masked prediction (docs/speech-pretraining.md): spans of each utterance's encoder
// frames are masked, and the model (core/model/hubert.h) predicts the cluster label of every
// masked frame; the loss is the summed cross-entropy over masked frames only (fairseq's
// pred_masked_weight 1, pred_nomask_weight 0). Batches carry waveforms (Batch::features
// [B, samples, 1]), frame labels (Batch::labels [B, T]) and frame counts (Batch::bins, all T).
//
// Masks: per utterance, spans of `span` frames start uniformly until exactly
// floor(ratio x T + 0.5) frames are masked (task/span_masking.h), drawn from a stream keyed
// by (seed, step, utterance id), so a frame's mask does not depend on batching or ranks.
// fairseq's mask_prob 0.8 with span 10 masks about 1 - e^-0.8 = 55% of a long utterance's
// frames in expectation; the ratio here is that fraction, exactly.
// Sums: loss, masked frames, correct masked predictions, unmasked frames, correct unmasked.
#pragma once

#include <cstdint>

#include "core/model/hubert.h"
#include "core/task/task.h"

namespace neuroscale::task {

struct HubertMaskOptions {
  TORCH_ARG(double, ratio) = 0.55;     ///< fraction of each utterance's frames masked
  TORCH_ARG(std::int64_t, span) = 10;  ///< frames per span
};

class HubertTask : public Task {
 public:
  HubertTask(model::HubertPretraining model, HubertMaskOptions mask, std::uint64_t seed);

  std::string name() const override { return "hubert"; }
  torch::nn::Module& module() override;
  // Throws UsageError when the batch lacks waveforms, labels or frame counts that agree, or a
  // label lies outside the model's clusters.
  TaskOutput forward(const Batch& batch, const StepContext& context) override;
  std::vector<std::string> sum_names() const override;
  // loss (per masked frame), accuracy_masked, accuracy_unmasked, masked_frames.
  std::map<std::string, double> metrics(const std::vector<double>& totals) const override;
  // Masked frames: sum over utterances of floor(ratio x frames + 0.5).
  double count(const Batch& batch, const StepContext& context) const override;

  // The mask of a batch at `step` ([B, T] bool, CPU), as forward() draws it.
  at::Tensor mask(const Batch& batch, std::int64_t step) const;

  model::HubertPretraining& model() { return model_; }

 private:
  model::HubertPretraining model_;
  HubertMaskOptions mask_;
  std::uint64_t seed_;
};

}  // namespace neuroscale::task
