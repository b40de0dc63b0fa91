// A collated micro-batch as the model consumes it: padded features, lengths, labels, and
// regression targets for tasks that have them (brain-tuning: one fMRI response per sample),
// and token ids for text tasks (causal language modelling).
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

namespace neuroscale {

struct Batch {
  std::int32_t subject = 0;          // every trial of a batch has this subject (or participant)
  std::vector<std::int64_t> trials;  // global trial ids
  at::Tensor features;               // [B, T, C] float32; T = longest trial rounded up to the
                                     // loader's pad multiple; zeros beyond each trial's end
                                     // (audio tasks: [B, samples, 1] waveforms)
  at::Tensor bins;                   // [B] int64: true length of each trial
  at::Tensor labels;                 // [B, L] int64 phoneme ids, 0-padded (L = 0 if unlabelled)
  at::Tensor label_lengths;          // [B] int64
  std::vector<std::string> text;     // sentence per trial ("" if none)
  at::Tensor targets;                // [B, V] float32 regression targets (undefined if none)
  at::Tensor tokens;                 // [B, L] int64 token ids, right-padded (text tasks; the
                                     // true lengths in `bins`), undefined otherwise

  std::int64_t size() const { return static_cast<std::int64_t>(trials.size()); }
};

}  // namespace neuroscale
