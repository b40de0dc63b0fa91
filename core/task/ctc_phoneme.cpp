#include "core/task/ctc_phoneme.h"

#include <torch/nn/module.h>

#include "core/check.h"
#include "core/decode/ctc_decode.h"
#include "core/decode/error_rates.h"
#include "core/model/patching.h"

namespace neuroscale::task {
namespace {

constexpr std::uint64_t kTimeMaskStream = 0x746d736b;  // "tmsk"

// Trials with more labels than CTC can align to their tokens: a path needs one token per
// label plus a blank between each pair of equal neighbours.
std::int64_t unalignable_trials(const at::Tensor& labels, const at::Tensor& lengths,
                                const at::Tensor& tokens) {
  std::int64_t count = 0;
  for (std::int64_t b = 0; b < labels.size(0); ++b) {
    const auto* row = labels[b].data_ptr<std::int64_t>();
    const auto length = lengths[b].item<std::int64_t>();
    std::int64_t needed = length;
    for (std::int64_t i = 1; i < length; ++i) needed += row[i] == row[i - 1];
    count += needed > tokens[b].item<std::int64_t>();
  }
  return count;
}

}  // namespace

CtcPhonemeTask::CtcPhonemeTask(const CtcPhonemeOptions& options)
    : options_(options), model_(options.model()) {}

torch::nn::Module& CtcPhonemeTask::module() { return *model_; }

std::pair<at::Tensor, at::Tensor> CtcPhonemeTask::log_probs(const Batch& batch) {
  const auto patch = options_.model().encoder().patch_size();
  const auto input = model::patchify(
      model::augment(batch.features, batch.bins, options_.augment(), false), batch.bins, patch);
  const auto out = model_->forward(input.tokens, input.padding, input.positions, batch.subject);
  return {out, model::valid_tokens(batch.bins.cpu(), patch)};
}

TaskOutput CtcPhonemeTask::forward(const Batch& batch, const StepContext& context) {
  NS_CHECK_AS(
      DataError, batch.labels.defined() && batch.labels.dim() == 2 && batch.labels.size(1) > 0,
      "CTC fine-tuning needs phoneme labels; the batch of subject ", batch.subject, " has none");
  const auto patch = options_.model().encoder().patch_size();
  const bool training = model_->is_training();
  const auto input = model::patchify(
      model::augment(batch.features, batch.bins, options_.augment(), training), batch.bins, patch);
  const auto device = batch.features.device();
  const auto tokens_per_trial = model::valid_tokens(batch.bins.cpu(), patch);
  at::Tensor mask;
  if (training && options_.masking().ratio() > 0.0) {
    mask = step_span_mask(tokens_per_trial, input.tokens.size(1), batch.trials, context.step,
                          options_.seed(), kTimeMaskStream, options_.masking())
               .to(device);
  }
  const auto log_probs =
      model_->forward(input.tokens, input.padding, input.positions, batch.subject, mask);
  const auto labels = batch.labels.to(at::kLong);
  const auto label_lengths = batch.label_lengths.to(at::kCPU, at::kLong);
  // ctc_loss wants [N, B, C]. A trial whose labels cannot be aligned to its tokens has an
  // infinite loss: zero_infinity zeroes it and its gradient.
  const auto per_trial =
      at::ctc_loss(log_probs.transpose(0, 1), labels, tokens_per_trial, label_lengths,
                   decode::kBlank, at::Reduction::None, /*zero_infinity=*/true);
  TaskOutput out;
  out.loss = per_trial.sum();
  out.count = static_cast<double>(batch.size());
  {
    at::NoGradGuard no_grad;
    decode::ErrorCounts errors;
    const auto cpu = log_probs.detach().to(at::kCPU).contiguous();
    const auto labels_cpu = labels.to(at::kCPU).contiguous();
    for (std::int64_t b = 0; b < batch.size(); ++b) {
      const auto frames = tokens_per_trial[b].item<std::int64_t>();
      const auto decoded = decode::greedy_decode(cpu[b].data_ptr<float>(), static_cast<int>(frames),
                                                 static_cast<int>(cpu.size(2)));
      const auto length = label_lengths[b].item<std::int64_t>();
      const auto* truth = labels_cpu[b].data_ptr<std::int64_t>();
      errors.add_phonemes(decoded, std::vector<int>(truth, truth + length));
    }
    const auto infinite =
        static_cast<double>(unalignable_trials(labels_cpu, label_lengths, tokens_per_trial));
    out.sums =
        at::tensor({out.loss.detach().item<double>(), out.count, infinite,
                    static_cast<double>(errors.edits), static_cast<double>(errors.reference)},
                   at::TensorOptions().dtype(at::kDouble))
            .to(device);
  }
  return out;
}

double CtcPhonemeTask::count(const Batch& batch, const StepContext&) const {
  return static_cast<double>(batch.size());
}

bool CtcPhonemeTask::subject_specific(const std::string& name) const {
  return name.rfind("encoder.read_in.", 0) == 0;
}

std::vector<std::string> CtcPhonemeTask::sum_names() const {
  return {"loss", "trials", "infinite_trials", "phoneme_edits", "phonemes"};
}

std::map<std::string, double> CtcPhonemeTask::metrics(const std::vector<double>& totals) const {
  NS_CHECK_EQ(totals.size(), sum_names().size(), "CTC metrics need every sum");
  const double trials = totals[1];
  return {{"loss", trials > 0 ? totals[0] / trials : 0.0},
          {"per", totals[4] > 0 ? totals[3] / totals[4] : 0.0},
          {"infinite_trials", totals[2]},
          {"trials", trials}};
}

}  // namespace neuroscale::task
