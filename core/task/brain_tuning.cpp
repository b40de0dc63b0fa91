#include "core/task/brain_tuning.h"

#include <torch/torch.h>

#include "core/check.h"

namespace neuroscale::task {

BrainTuningTask::BrainTuningTask(const BrainTuningOptions& options)
    : options_(options), model_(options.model()) {
  NS_CHECK_AS(ConfigError, !options_.participants().empty(),
              "brain-tuning needs at least one participant");
}

torch::nn::Module& BrainTuningTask::module() { return *model_; }

TaskOutput BrainTuningTask::forward(const Batch& batch, const StepContext&) {
  NS_CHECK(batch.features.dim() == 3 && batch.features.size(2) == 1,
           "brain-tuning batch: features must be [B, samples, 1] waveforms, got ",
           batch.features.sizes());
  NS_CHECK(
      batch.targets.defined() && batch.targets.dim() == 2 && batch.targets.size(0) == batch.size(),
      "brain-tuning batch: targets must be [B, voxels]");
  const auto participants = static_cast<std::int32_t>(options_.participants().size());
  NS_CHECK(batch.subject >= 0 && batch.subject < participants, "brain-tuning batch: participant ",
           batch.subject, " out of range (", participants, " participants)");
  const auto prediction = model_->forward(batch.features.squeeze(2)).to(at::kFloat);
  const auto target = batch.targets.to(at::kFloat);
  NS_CHECK_EQ(prediction.size(1), target.size(1),
              "brain-tuning batch: head outputs vs response voxels");
  const auto error = prediction - target;
  const auto sse = error.pow(2).sum();

  // Spatial correlation of each sample, across voxels (no gradient: a metric only).
  at::Tensor r_sum;
  {
    at::NoGradGuard no_grad;
    const auto p = prediction.detach().to(at::kDouble);
    const auto t = target.to(at::kDouble);
    const auto pc = p - p.mean(1, true);
    const auto tc = t - t.mean(1, true);
    const auto denominator = (pc.pow(2).sum(1) * tc.pow(2).sum(1)).sqrt();
    const auto r =
        at::where(denominator > 0, (pc * tc).sum(1) / denominator, at::zeros_like(denominator));
    r_sum = r.sum();
  }
  const double elements = static_cast<double>(target.numel());
  auto sums = at::zeros({static_cast<std::int64_t>(sum_names().size())},
                        at::TensorOptions().dtype(at::kDouble).device(prediction.device()));
  const auto sse_value = sse.detach().to(at::kDouble);
  sums[0] = sse_value;
  sums[1] = elements;
  sums[2] = r_sum;
  sums[3] = static_cast<double>(batch.size());
  sums[4 + 2 * batch.subject] = sse_value;
  sums[5 + 2 * batch.subject] = elements;
  return {sse, sums, elements};
}

std::vector<std::string> BrainTuningTask::sum_names() const {
  std::vector<std::string> names = {"squared_error", "elements", "spatial_r", "samples"};
  for (const auto& p : options_.participants()) {
    names.push_back("squared_error:" + p);
    names.push_back("elements:" + p);
  }
  return names;
}

std::map<std::string, double> BrainTuningTask::metrics(const std::vector<double>& totals) const {
  NS_CHECK_EQ(totals.size(), sum_names().size(), "brain-tuning metrics need every sum");
  std::map<std::string, double> values = {
      {"loss", totals[1] > 0 ? totals[0] / totals[1] : 0.0},
      {"spatial_r", totals[3] > 0 ? totals[2] / totals[3] : 0.0}};
  for (std::size_t p = 0; p < options_.participants().size(); ++p) {
    const double n = totals[5 + 2 * p];
    if (n > 0) values["loss_" + options_.participants()[p]] = totals[4 + 2 * p] / n;
  }
  return values;
}

double BrainTuningTask::count(const Batch& batch, const StepContext&) const {
  return batch.targets.defined() ? static_cast<double>(batch.targets.numel()) : 0.0;
}

}  // namespace neuroscale::task
