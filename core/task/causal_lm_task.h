// Causal language modelling: next-token cross-entropy of a decoder-only LM (core/llm) on
// right-padded token sequences (Batch::tokens, true lengths in Batch::bins). Every position
// but a sequence's last predicts the token after it; padding is neither input nor target.
// Sums: loss (summed natural-log cross-entropy) and tokens predicted, so the per-token loss
// and perplexity are ratios of summed counts over micro-batches and ranks.
#pragma once

#include "core/llm/causal_lm.h"
#include "core/task/task.h"

namespace neuroscale::task {

class CausalLmTask : public Task {
 public:
  explicit CausalLmTask(llm::CausalLm model);

  std::string name() const override { return "causal_lm"; }
  torch::nn::Module& module() override;
  // Throws UsageError when the batch has no tokens.
  TaskOutput forward(const Batch& batch, const StepContext& context) override;
  std::vector<std::string> sum_names() const override;
  // loss (per token), perplexity (exp of it), tokens.
  std::map<std::string, double> metrics(const std::vector<double>& totals) const override;
  // Tokens predicted: the sum of (length - 1) over the batch's sequences.
  double count(const Batch& batch, const StepContext& context) const override;

  llm::CausalLm& model() { return model_; }

 private:
  llm::CausalLm model_;
};

}  // namespace neuroscale::task
