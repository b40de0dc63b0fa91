#include "core/task/causal_lm_task.h"

#include <cmath>

#include "core/check.h"
#include "core/llm/head_loss.h"

namespace neuroscale::task {

CausalLmTask::CausalLmTask(llm::CausalLm model) : model_(std::move(model)) {}

torch::nn::Module& CausalLmTask::module() { return *model_; }

TaskOutput CausalLmTask::forward(const Batch& batch, const StepContext&) {
  NS_CHECK_AS(UsageError,
              batch.tokens.defined() && batch.tokens.dim() == 2 && batch.tokens.size(1) >= 2,
              "causal language modelling needs token batches [B, L >= 2]");
  const auto device = model_->model->embed_tokens->weight.device();
  const auto tokens = batch.tokens.to(device);
  const auto length = tokens.size(1);
  const auto positions = at::arange(length, at::TensorOptions().dtype(at::kLong).device(device));
  const auto mask =
      positions.unsqueeze(0).lt(batch.bins.to(device).unsqueeze(1)).to(at::kLong);  // [B, L]
  // Every position whose next token is real predicts it; the head and its loss run on
  // those rows only (head_loss.h: no [rows, vocab] logits for the whole batch).
  const auto hidden = model_->hidden_states(model_->embed(tokens), mask);
  const auto width = hidden.size(2);
  const auto predicted = mask.narrow(1, 1, length - 1).to(at::kBool);  // the target is a real token
  const auto rows = predicted.reshape({-1}).nonzero().select(1, 0);
  const auto predictors =
      hidden.narrow(1, 0, length - 1).reshape({-1, width}).index_select(0, rows);
  const auto targets = tokens.narrow(1, 1, length - 1).reshape({-1}).index_select(0, rows);
  TaskOutput out;
  out.loss = llm::head_cross_entropy_sum(predictors, model_->head_weight(), targets,
                                         llm::kHeadLossChunkBytes, model_->packed_head());
  const auto count = predicted.sum().to(at::kDouble);
  out.count = count.item<double>();
  out.sums = at::stack({out.loss.detach().to(at::kDouble), count});
  return out;
}

std::vector<std::string> CausalLmTask::sum_names() const { return {"loss", "tokens"}; }

std::map<std::string, double> CausalLmTask::metrics(const std::vector<double>& totals) const {
  NS_CHECK_EQ(totals.size(), sum_names().size(), "causal LM metrics need every sum");
  const double tokens = totals[1];
  const double loss = tokens > 0 ? totals[0] / tokens : 0.0;
  return {{"loss", loss}, {"perplexity", std::exp(loss)}, {"tokens", tokens}};
}

double CausalLmTask::count(const Batch& batch, const StepContext&) const {
  NS_CHECK_AS(UsageError, batch.bins.defined(), "causal language modelling needs sequence lengths");
  return (batch.bins - 1).clamp_min(0).sum().item<double>();
}

}  // namespace neuroscale::task
