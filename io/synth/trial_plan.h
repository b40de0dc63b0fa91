// What the synthetic generators decide about one trial before any neural data: its split,
// length and, for speech, the sentence, its phoneme labels and how long each is spoken.
// Planning is cheap and keyed by (seed, subject, session, trial), so the corpus index is
// known before the features are generated.
#pragma once

#include <string>
#include <vector>

#include "io/corpus/corpus_index.h"

namespace neuroscale::io {

struct TrialPlan {
  std::vector<int> phonemes;  ///< labels: phonemes with SIL after every word
  std::vector<int> frames;    ///< bins per label (speech), aligned to `phonemes`
  std::string text;
  int lead_bins = 0;  ///< silence before speech
  int bins = 0;
  Split split = Split::kTrain;
  // Generator 2 only.
  std::vector<int> driven;    ///< per label: the pattern it drives (itself, another, 0: none)
  std::vector<int> position;  ///< per label: 0 word-initial, 1 medial, 2 final, 3 alone, -1 SIL
  double amplitude = 1.0;     ///< the trial's drive amplitude
  int reach_target = 0;       ///< reaching: one of 8 directions
  double reach_centre = 0.0;  ///< reaching: bin of peak speed
};

// Bins spanned by the labels, lead and trail included: the label whose span each bin is in
// (0 before and after speech).
std::vector<int> frame_labels(const TrialPlan& plan);

}  // namespace neuroscale::io
