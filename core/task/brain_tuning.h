// Multi-participant brain-tuning (the MBT reference): a speech model predicts one fMRI
// response per stimulus window, and the loss is the squared error against the response of
// the batch's participant. Every batch holds one participant (io::TrBatchPlan), so a step
// back-propagates that participant's L2 loss alone. Sums: squared error and element count
// overall and per participant, and the spatial correlation of each sample (Pearson r of
// predicted and measured responses across voxels) with the sample count.
#pragma once

#include <torch/arg.h>

#include <string>
#include <vector>

#include "core/model/speech_voxel_model.h"
#include "core/task/task.h"

namespace neuroscale::task {

struct BrainTuningOptions {
  /// the backbone, adapters and head
  TORCH_ARG(model::SpeechVoxelModelOptions, model) = {};
  /// participant names, indexed by Batch::subject (for per-participant metrics)
  TORCH_ARG(std::vector<std::string>, participants) = {};
};

class BrainTuningTask : public Task {
 public:
  explicit BrainTuningTask(const BrainTuningOptions& options);

  std::string name() const override { return "brain_tuning"; }
  torch::nn::Module& module() override;
  // batch.features [B, samples, 1] waveforms, batch.targets [B, V] responses.
  TaskOutput forward(const Batch& batch, const StepContext& context) override;
  std::vector<std::string> sum_names() const override;
  // loss (mean squared error per element), loss_<participant>, spatial_r.
  std::map<std::string, double> metrics(const std::vector<double>& totals) const override;
  // The loss sums over B x V elements, so the "mean" reduction gives the reference's
  // MSELoss over the whole global batch.
  double count(const Batch& batch, const StepContext& context) const override;

  model::SpeechVoxelModel& model() { return model_; }

 private:
  BrainTuningOptions options_;
  model::SpeechVoxelModel model_;
};

}  // namespace neuroscale::task
