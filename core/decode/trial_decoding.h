// One trial's CTC output decoded into phonemes (greedy) or phonemes and words (beam search
// over a lexicon with an optional n-gram LM, its n-best list optionally rescored by an LLM),
// and scored against the trial's references:
// what `neuroscale evaluate` does for every trial. PER and WER over a split are the sums of
// the trials' edits over the sums of their reference lengths (ErrorCounts).
#pragma once

#include <string>
#include <vector>

#include <functional>

#include "core/decode/ctc_decode.h"
#include "core/decode/error_rates.h"
#include "core/decode/rescoring.h"

namespace neuroscale::decode {

struct TrialDecoder {
  const Lexicon* lexicon =
      nullptr;                  ///< beam search over its words when set; greedy phonemes otherwise
  const NgramLm* lm = nullptr;  ///< with a lexicon: the word LM (null: none)
  BeamSearchOptions beam;
  // With a lexicon: scores candidate sentences under an LLM (one score per text, same order).
  // Set, the beam search keeps rescore.nbest candidates and the best rescored one wins
  // (rescoring.h); unset, the beam's best.
  std::function<std::vector<LlmScore>(const std::vector<std::string>&)> llm;
  RescoreOptions rescore;
};

struct DecodedTrial {
  std::vector<int> phonemes;   ///< decoded phoneme ids (no blanks)
  std::string text;            ///< decoded words (beam search only)
  ErrorCounts phoneme_errors;  ///< against the reference phonemes (none: zeros)
  ErrorCounts word_errors;     ///< against the reference text (beam search with a reference only)
};

// Decodes `frames` rows of `kClasses` log-probabilities (row-major) and scores them against
// `reference` phoneme ids and `reference_text` (either may be empty: not scored).
DecodedTrial decode_trial(const float* log_probs, int frames, const std::vector<int>& reference,
                          const std::string& reference_text, const TrialDecoder& decoder);

}  // namespace neuroscale::decode
