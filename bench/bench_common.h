// Pieces the data-parallel and checkpoint benchmarks share: timing, the BIT model at the
// benchmarked sizes, and a batch source that repeats one random micro-batch.
#pragma once

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/task/masked_modeling.h"
#include "distributed/trainer.h"

namespace neuroscale::bench {

using Clock = std::chrono::steady_clock;

inline double seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The default BIT model ("default") or a smaller one ("small"), one 512-channel subject.
inline task::MaskedModelingOptions model_options(const std::string& size) {
  auto transformer = model::TransformerOptions();
  if (size == "small") transformer.hidden(128).layers(4).heads(4).mlp(256);
  return task::MaskedModelingOptions().model(model::MaskedModelOptions().encoder(
      model::BitEncoderOptions().transformer(transformer).subjects({{"t15", 512}})));
}

// `batch` random trials of `bins` bins and 512 channels, the same every call.
class RandomSource : public distributed::BatchSource {
 public:
  RandomSource(int batch, int bins, int rank) {
    batch_.features = torch::randn({batch, bins, 512});
    batch_.bins = torch::full({batch}, bins, torch::kLong);
    for (int i = 0; i < batch; ++i) batch_.trials.push_back(rank * batch + i);
  }
  std::optional<Batch> next(int) override { return batch_; }

 private:
  Batch batch_;
};

}  // namespace neuroscale::bench
