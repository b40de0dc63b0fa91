#include "core/task/masked_modeling.h"

#include <torch/nn/module.h>

#include "core/check.h"
#include "core/model/patching.h"

namespace neuroscale::task {
namespace {

constexpr std::uint64_t kMaskStream = 0x6d61736b;  // "mask"

}  // namespace

MaskedModelingTask::MaskedModelingTask(const MaskedModelingOptions& options)
    : options_(options), model_(options.model()) {}

torch::nn::Module& MaskedModelingTask::module() { return *model_; }

at::Tensor MaskedModelingTask::mask_for(const Batch& batch, const StepContext& context) const {
  NS_CHECK_AS(UsageError, batch.size() >= 1, "masked modelling needs a non-empty batch");
  const auto patch = options_.model().encoder().patch_size();
  const auto tokens = (batch.features.size(1) + patch - 1) / patch;
  return step_span_mask(model::valid_tokens(batch.bins.cpu(), patch), tokens, batch.trials,
                        context.step, options_.seed(), kMaskStream, options_.masking());
}

TaskOutput MaskedModelingTask::forward(const Batch& batch, const StepContext& context) {
  const auto patch = options_.model().encoder().patch_size();
  const bool training = model_->is_training();
  const auto target = model::patchify(batch.features, batch.bins, patch);
  const auto input = model::patchify(
      model::augment(batch.features, batch.bins, options_.augment(), training), batch.bins, patch);
  const auto mask_cpu = mask_for(batch, context);
  const auto device = batch.features.device();
  // Only masked tokens are scored, so only they are read out: rows into the B*N tokens.
  const auto rows_cpu = mask_cpu.reshape({-1}).nonzero().reshape({-1});
  const auto rows = rows_cpu.to(device);
  const auto reconstruction = model_->forward(input.tokens, input.padding, input.positions,
                                              batch.subject, mask_cpu.to(device), rows);
  const auto width = target.tokens.size(2);
  const auto wanted = target.tokens.reshape({-1, width}).index_select(0, rows);
  // Bins past a trial's end inside its last token are not scored: weight [M, P, 1].
  const auto weight = target.bin_valid.reshape({-1, patch})
                          .index_select(0, rows)
                          .unsqueeze(-1)
                          .to(reconstruction.scalar_type());
  const auto as_bins = [&](const at::Tensor& t) { return t.view({-1, patch, target.channels}); };

  TaskOutput out;
  out.loss = options_.loss() == ReconstructionLoss::kMse
                 ? masked_mse_sum(as_bins(reconstruction), as_bins(wanted), weight)
                 : masked_poisson_nll_sum(as_bins(reconstruction), as_bins(wanted), weight,
                                          options_.poisson_log_input());
  // The element count is known on the CPU: masked tokens' valid bins times channels.
  const auto valid_bins = target.bin_valid.to(at::kCPU).sum(-1);
  out.count =
      static_cast<double>((valid_bins * mask_cpu).sum().item<std::int64_t>() * target.channels);
  {
    at::NoGradGuard no_grad;
    const auto moments = masked_moments(as_bins(wanted), weight).to(device);
    const auto squared_error =
        options_.loss() == ReconstructionLoss::kMse
            ? out.loss.detach()
            : masked_mse_sum(as_bins(reconstruction.detach()), as_bins(wanted), weight);
    out.sums = at::stack({out.loss.detach().to(at::kDouble),
                          at::scalar_tensor(out.count, at::kDouble).to(device),
                          squared_error.to(at::kDouble), moments[0], moments[1]});
  }
  return out;
}

double MaskedModelingTask::count(const Batch& batch, const StepContext& context) const {
  const auto patch = options_.model().encoder().patch_size();
  const auto mask = mask_for(batch, context);
  const auto tokens = mask.size(1);
  const auto bins = batch.bins.to(at::kCPU, at::kLong).view({-1, 1});
  // Valid bins of token t: clamp(bins - t*P, 0, P).
  const auto starts = at::arange(tokens, at::kLong).view({1, tokens}) * patch;
  const auto valid_bins = (bins - starts).clamp(0, patch);
  return static_cast<double>((valid_bins * mask).sum().item<std::int64_t>() *
                             batch.features.size(2));
}

bool MaskedModelingTask::subject_specific(const std::string& name) const {
  return name.rfind("encoder.read_in.", 0) == 0 || name.rfind("read_out.", 0) == 0;
}

std::vector<std::string> MaskedModelingTask::sum_names() const {
  return {"loss", "elements", "squared_error", "target_sum", "target_squared_sum"};
}

std::map<std::string, double> MaskedModelingTask::metrics(const std::vector<double>& totals) const {
  NS_CHECK_EQ(totals.size(), sum_names().size(), "masked modelling metrics need every sum");
  const double loss = totals[0], n = totals[1], sse = totals[2], sum = totals[3],
               sum_sq = totals[4];
  if (n <= 0.0) return {{"loss", 0.0}, {"masked_mse", 0.0}, {"r2", 0.0}, {"elements", 0.0}};
  const double variance_sum = sum_sq - sum * sum / n;
  return {{"loss", loss / n},
          {"masked_mse", sse / n},
          {"r2", variance_sum > 0.0 ? 1.0 - sse / variance_sum : 0.0},
          {"elements", n}};
}

}  // namespace neuroscale::task
