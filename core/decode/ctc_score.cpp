#include "core/decode/ctc_score.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "core/decode/phonemes.h"

namespace neuroscale::decode {

std::vector<double> ctc_log_likelihoods(const at::Tensor& log_probs,
                                        const std::vector<std::vector<int>>& labels) {
  if (log_probs.dim() != 2)
    throw std::invalid_argument(
        "ctc_log_likelihoods: expected log-probabilities [frames, classes]");
  if (labels.empty()) return {};
  const auto frames = log_probs.size(0), classes = log_probs.size(1);
  const auto count = static_cast<std::int64_t>(labels.size());
  std::int64_t longest = 0;
  for (const auto& sequence : labels) {
    for (const int label : sequence) {
      if (label <= kBlank || label >= classes)
        throw std::invalid_argument("ctc_log_likelihoods: label " + std::to_string(label) +
                                    " outside [1, " + std::to_string(classes) + ")");
    }
    longest = std::max<std::int64_t>(longest, static_cast<std::int64_t>(sequence.size()));
  }
  // One padded target row per sequence (at least one column: an empty target is legal).
  auto targets = at::zeros({count, std::max<std::int64_t>(longest, 1)}, at::kLong);
  auto* t = targets.data_ptr<std::int64_t>();
  std::vector<std::int64_t> target_lengths, input_lengths(labels.size(), frames);
  for (std::int64_t i = 0; i < count; ++i) {
    const auto& sequence = labels[static_cast<std::size_t>(i)];
    for (std::size_t j = 0; j < sequence.size(); ++j) t[i * targets.size(1) + j] = sequence[j];
    target_lengths.push_back(static_cast<std::int64_t>(sequence.size()));
  }
  // [frames, count, classes] in double: sums of many small probabilities stay exact.
  const auto inputs =
      log_probs.to(at::kCPU, at::kDouble).unsqueeze(1).expand({frames, count, classes});
  const auto losses = at::ctc_loss(inputs, targets, input_lengths, target_lengths, kBlank,
                                   at::Reduction::None, /*zero_infinity=*/false);
  std::vector<double> out;
  const auto* l = losses.data_ptr<double>();
  for (std::int64_t i = 0; i < count; ++i)
    out.push_back(std::isinf(l[i]) ? -std::numeric_limits<double>::infinity() : -l[i]);
  return out;
}

}  // namespace neuroscale::decode
