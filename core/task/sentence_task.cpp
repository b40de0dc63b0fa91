#include "core/task/sentence_task.h"

#include <ATen/Functions.h>

#include <cmath>

#include "core/check.h"
#include "core/decode/phonemes.h"
#include "core/model/patching.h"

namespace neuroscale::task {
namespace {

constexpr std::uint64_t kTimeMaskStream = 0x746d736b;  // "tmsk", as CTC fine-tuning

}  // namespace

SentenceTask::SentenceTask(const SentenceTaskOptions& options, llm::NeuralLm model,
                           Tokenize tokenize)
    : options_(options), model_(std::move(model)), tokenize_(std::move(tokenize)) {
  NS_CHECK_AS(ConfigError, options.aligner_weight() >= 0 && options.ctc_weight() >= 0,
              "sentence task: weights must be >= 0, got aligner ", options.aligner_weight(),
              ", ctc ", options.ctc_weight());
  NS_CHECK_AS(ConfigError, options.eos() >= 0, "sentence task: the LM has no EOS token");
  NS_CHECK_AS(ConfigError, options.ctc_weight() == 0 || !model_->ctc_head.is_empty(),
              "sentence task: ctc_weight > 0 needs the model's CTC head");
}

torch::nn::Module& SentenceTask::module() { return *model_; }

const std::vector<std::int64_t>& SentenceTask::sentence_ids(std::int64_t trial,
                                                            const std::string& text) {
  const auto hit = cache_.find(trial);
  if (hit != cache_.end()) return hit->second;
  NS_CHECK_AS(DataError, !text.empty(), "trial ", trial,
              " has no sentence: end-to-end fine-tuning needs each trial's text");
  return cache_.emplace(trial, tokenize_(text)).first->second;
}

std::pair<at::Tensor, at::Tensor> SentenceTask::neural_tokens(const Batch& batch) {
  auto inputs = decoding_inputs(batch, false);
  return {std::move(inputs.projected), std::move(inputs.valid)};
}

SentenceTask::Decoding SentenceTask::decoding_inputs(const Batch& batch, bool phonemes) {
  NS_CHECK_AS(ConfigError, !phonemes || !model_->ctc_head.is_empty(),
              "the end-to-end model has no CTC head (fine-tuned with sentence.ctc_weight 0): "
              "it gives no phoneme log-probabilities");
  const auto patch = model_->options().encoder().patch_size();
  const auto input = model::patchify(
      model::augment(batch.features, batch.bins, options_.augment(), false), batch.bins, patch);
  const auto encoded = model_->encode(input.tokens, input.padding, input.positions, batch.subject);
  Decoding out{model_->project(encoded), model::valid_tokens(batch.bins.cpu(), patch), {}};
  if (phonemes)
    out.phoneme_log_probs = at::log_softmax(model_->ctc_head->forward(encoded.to(at::kFloat)), -1);
  return out;
}

TaskOutput SentenceTask::forward(const Batch& batch, const StepContext& context) {
  const auto patch = model_->options().encoder().patch_size();
  const bool training = model_->is_training();
  const auto input = model::patchify(
      model::augment(batch.features, batch.bins, options_.augment(), training), batch.bins, patch);
  const auto device = batch.features.device();
  const auto valid = model::valid_tokens(batch.bins.cpu(), patch);
  at::Tensor mask;
  if (training && options_.masking().ratio() > 0.0) {
    mask = step_span_mask(valid, input.tokens.size(1), batch.trials, context.step, options_.seed(),
                          kTimeMaskStream, options_.masking())
               .to(device);
  }
  const auto encoded =
      model_->encode(input.tokens, input.padding, input.positions, batch.subject, mask);
  const auto projected = model_->project(encoded);
  std::vector<std::vector<std::int64_t>> sentences, targets;
  double target_tokens = 0.0;
  for (std::int64_t b = 0; b < batch.size(); ++b) {
    const auto i = static_cast<std::size_t>(b);
    sentences.push_back(sentence_ids(batch.trials[i], batch.text[i]));
    targets.push_back(sentences.back());
    targets.back().push_back(options_.eos());
    target_tokens += static_cast<double>(targets.back().size());
  }
  const auto sequences =
      model_->sequences(projected, valid, options_.prompt_a(), options_.prompt_b(), targets);
  const auto cross_entropy = model_->cross_entropy_sum(sequences);
  auto loss = cross_entropy;
  at::Tensor contrastive = at::zeros({}, cross_entropy.options());
  if (options_.aligner_weight() > 0) {
    contrastive = model_->contrastive_loss(projected, valid, sentences);
    loss = loss + options_.aligner_weight() * contrastive;
  }
  at::Tensor ctc = at::zeros({}, cross_entropy.options());
  if (options_.ctc_weight() > 0) {
    NS_CHECK_AS(DataError, batch.labels.defined() && batch.labels.dim() == 2,
                "the auxiliary CTC loss needs phoneme labels; the batch of subject ", batch.subject,
                " has none");
    const auto log_probs = at::log_softmax(model_->ctc_head->forward(encoded.to(at::kFloat)), -1);
    ctc = at::ctc_loss(log_probs.transpose(0, 1), batch.labels.to(at::kLong), valid,
                       batch.label_lengths.to(at::kCPU, at::kLong), decode::kBlank,
                       at::Reduction::Sum, /*zero_infinity=*/true);
    loss = loss + options_.ctc_weight() * ctc;
  }
  TaskOutput out;
  out.loss = loss;
  out.count = static_cast<double>(batch.size());
  const double trials = out.count;
  out.sums = at::tensor({loss.detach().item<double>(), trials,
                         cross_entropy.detach().item<double>(), target_tokens,
                         contrastive.detach().item<double>() * trials, ctc.detach().item<double>()},
                        at::TensorOptions().dtype(at::kDouble))
                 .to(device);
  return out;
}

double SentenceTask::count(const Batch& batch, const StepContext&) const {
  return static_cast<double>(batch.size());
}

bool SentenceTask::subject_specific(const std::string& name) const {
  return name.rfind("encoder.read_in.", 0) == 0;
}

std::vector<std::string> SentenceTask::sum_names() const {
  return {"loss", "trials", "cross_entropy", "target_tokens", "contrastive", "ctc"};
}

std::map<std::string, double> SentenceTask::metrics(const std::vector<double>& totals) const {
  NS_CHECK_EQ(totals.size(), sum_names().size(), "sentence metrics need every sum");
  const double trials = totals[1], tokens = totals[3];
  const double token_loss = tokens > 0 ? totals[2] / tokens : 0.0;
  std::map<std::string, double> out = {{"loss", trials > 0 ? totals[0] / trials : 0.0},
                                       {"token_loss", token_loss},
                                       {"perplexity", std::exp(token_loss)},
                                       {"trials", trials}};
  if (options_.aligner_weight() > 0) out["contrastive"] = trials > 0 ? totals[4] / trials : 0.0;
  if (options_.ctc_weight() > 0) out["ctc"] = trials > 0 ? totals[5] / trials : 0.0;
  return out;
}

}  // namespace neuroscale::task
