#include "io/synth/trial_plan.h"

namespace neuroscale::io {

std::vector<int> frame_labels(const TrialPlan& plan) {
  std::vector<int> labels(static_cast<std::size_t>(plan.bins), 0);
  int t = plan.lead_bins;
  for (std::size_t i = 0; i < plan.phonemes.size(); ++i) {
    for (int f = 0; f < plan.frames[i] && t < plan.bins; ++f)
      labels[static_cast<std::size_t>(t++)] = plan.phonemes[i];
  }
  return labels;
}

}  // namespace neuroscale::io
