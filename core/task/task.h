// The contract between a trainer and what it trains. A Task owns a module and turns one
// micro-batch into a loss and additive metric sums; the trainer runs backward, reduces the
// sums across micro-batches and ranks, and asks the task to turn totals into metrics.
// Tasks are used from one thread.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/batch.h"

namespace torch::nn {
class Module;
}

namespace neuroscale::task {

struct StepContext {
  std::int64_t step = 0;  ///< optimizer step this micro-batch belongs to (keys random streams)
};

struct TaskOutput {
  at::Tensor loss;     ///< scalar to back-propagate: a SUM over `count` elements
  at::Tensor sums;     ///< [K] float64 on the batch's device, additive, names from sum_names()
  double count = 0.0;  ///< elements the loss sums over (for a global mean, if wanted)
};

class Task {
 public:
  virtual ~Task() = default;
  virtual std::string name() const = 0;
  // The trained module (all parameters, including every subject's layers).
  virtual torch::nn::Module& module() = 0;
  // Train or evaluation behaviour follows module().is_training().
  virtual TaskOutput forward(const Batch& batch, const StepContext& context) = 0;
  // Names of TaskOutput::sums, in order; identical on every rank.
  virtual std::vector<std::string> sum_names() const = 0;
  // Metrics from summed totals (over micro-batches and ranks).
  virtual std::map<std::string, double> metrics(const std::vector<double>& totals) const = 0;
  // Elements forward() will sum its loss over, known before forward (CPU only), so a trainer
  // can form the global count of a step and scale each rank's loss to the global mean.
  virtual double count(const Batch& batch, const StepContext& context) const = 0;
  // True for parameters that belong to one subject (used only by that subject's batches):
  // the gradient reducer puts them last, so buckets of shared parameters never wait on them.
  virtual bool subject_specific(const std::string& parameter_name) const { return false; }
};

}  // namespace neuroscale::task
