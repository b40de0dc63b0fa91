#include "core/task/hubert_task.h"

#include <cmath>

#include "core/check.h"
#include "core/random.h"
#include "core/task/span_masking.h"

namespace neuroscale::task {
namespace {

constexpr std::uint64_t kMaskStream = 0x687562657274ULL;  // "hubert"

void check_batch(const Batch& batch) {
  NS_CHECK_AS(
      UsageError,
      batch.features.defined() && batch.features.dim() == 3 && batch.features.size(2) == 1 &&
          batch.labels.defined() && batch.labels.dim() == 2 && batch.bins.defined() &&
          batch.labels.size(0) == batch.features.size(0) &&
          batch.bins.size(0) == batch.features.size(0) && batch.size() == batch.features.size(0),
      "HuBERT batches need waveforms [B, samples, 1], frame labels [B, T], frame counts "
      "[B] and utterance ids");
}

}  // namespace

HubertTask::HubertTask(model::HubertPretraining model, HubertMaskOptions mask, std::uint64_t seed)
    : model_(std::move(model)), mask_(mask), seed_(seed) {
  NS_CHECK_AS(ConfigError, mask_.ratio() > 0 && mask_.ratio() < 1 && mask_.span() >= 1,
              "masking: ratio ", mask_.ratio(), " (expected in (0, 1)), span ", mask_.span(),
              " (expected >= 1)");
}

torch::nn::Module& HubertTask::module() { return *model_; }

at::Tensor HubertTask::mask(const Batch& batch, std::int64_t step) const {
  std::vector<Rng> streams;
  for (const auto id : batch.trials) {
    streams.emplace_back(
        seed_, std::initializer_list<std::uint64_t>{kMaskStream, static_cast<std::uint64_t>(step),
                                                    static_cast<std::uint64_t>(id)});
  }
  return span_mask(batch.bins, batch.labels.size(1), mask_.span(),
                   SpanMaskOptions().ratio(mask_.ratio()).max_span(mask_.span()), streams);
}

TaskOutput HubertTask::forward(const Batch& batch, const StepContext& context) {
  check_batch(batch);
  const auto device = model_->final_proj->weight.device();
  const at::Tensor audio = batch.features.squeeze(2).to(device);
  const std::int64_t frames = model_->hubert->frames(audio.size(1));
  NS_CHECK_AS(UsageError,
              batch.labels.size(1) == frames && (batch.bins == frames).all().item<bool>(),
              "HuBERT batch: ", batch.labels.size(1), " labels per utterance for ", frames,
              " encoder frames of ", audio.size(1), " samples");
  const at::Tensor labels = batch.labels.to(device);
  NS_CHECK_AS(UsageError,
              labels.min().item<std::int64_t>() >= 0 &&
                  labels.max().item<std::int64_t>() < model_->options.clusters(),
              "HuBERT batch: labels outside [0, ", model_->options.clusters(),
              ") (are they the labels of a k-means with that many clusters?)");
  const at::Tensor masked = mask(batch, context.step).to(device);
  const at::Tensor logits = model_->forward(audio, masked);  // [B, T, K]
  const at::Tensor nll =
      -at::log_softmax(logits, -1).gather(2, labels.unsqueeze(2)).squeeze(2);  // [B, T]
  const at::Tensor correct = logits.argmax(-1).eq(labels);
  const at::Tensor unmasked = masked.logical_not();
  TaskOutput out;
  out.loss = nll.masked_select(masked).sum();
  const at::Tensor masked_count = masked.sum().to(at::kDouble);
  out.count = masked_count.item<double>();
  out.sums = at::stack({out.loss.detach().to(at::kDouble), masked_count,
                        (correct & masked).sum().to(at::kDouble), unmasked.sum().to(at::kDouble),
                        (correct & unmasked).sum().to(at::kDouble)});
  return out;
}

std::vector<std::string> HubertTask::sum_names() const {
  return {"loss", "masked_frames", "correct_masked", "unmasked_frames", "correct_unmasked"};
}

std::map<std::string, double> HubertTask::metrics(const std::vector<double>& totals) const {
  NS_CHECK_EQ(totals.size(), sum_names().size(), "HuBERT metrics need every sum");
  auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
  return {{"loss", ratio(totals[0], totals[1])},
          {"accuracy_masked", ratio(totals[2], totals[1])},
          {"accuracy_unmasked", ratio(totals[4], totals[3])},
          {"masked_frames", totals[1]}};
}

double HubertTask::count(const Batch& batch, const StepContext&) const {
  NS_CHECK_AS(UsageError, batch.bins.defined(), "HuBERT batches need frame counts");
  double total = 0;
  const at::Tensor bins = batch.bins.to(at::kCPU, at::kLong).contiguous();
  for (std::int64_t b = 0; b < bins.size(0); ++b) {
    total +=
        std::floor(mask_.ratio() * static_cast<double>(bins.data_ptr<std::int64_t>()[b]) + 0.5);
  }
  return total;
}

}  // namespace neuroscale::task
