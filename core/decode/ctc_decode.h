// Decoding CTC outputs over the 41 phoneme classes (phonemes.h) into phonemes and words.
//  - greedy_decode: the best class per frame, repeats collapsed, blanks removed;
//  - beam_search: CTC prefix beam search constrained to a pronunciation lexicon (words are
//    their phonemes followed by SIL, as the labels are), with a word n-gram language model
//    mixed in at each word end: score = ln P_ctc(labels) + lm_weight * ln P_lm(words)
//    + word_bonus * words. With an unbounded beam it is exact (tested by enumeration).
//    beam_search_nbest returns the best N distinct word sequences with their score's parts,
//    for rescoring (rescoring.h).
// Inputs are per-frame log-probabilities [frames x classes], row-major (log-softmax output).
#pragma once

#include <string>
#include <vector>

#include "core/decode/lexicon.h"
#include "core/decode/ngram_lm.h"

namespace neuroscale::decode {

std::vector<int> greedy_decode(const float* log_probs, int frames, int classes);

struct BeamSearchOptions {
  int beam = 32;               ///< hypotheses kept after each frame
  double lm_weight = 0.5;      ///< multiplies the language model's ln-probabilities
  double word_bonus = 0.0;     ///< added per word (word insertion bonus)
  double blank_penalty = 1.0;  ///< the blank's probability is divided by this (>= 1 favours labels)
  double acoustic_scale = 1.0;  ///< multiplies the acoustic log-probabilities
};

struct Hypothesis {
  std::vector<int> phonemes;  ///< labels, SIL after each word
  std::vector<std::string> words;
  double score = 0.0;        ///< the combined score above (ln)
  double acoustic = 0.0;     ///< ln P_ctc(labels) as searched, divided by acoustic_scale (exact
                             ///< with blank_penalty 1): the scale is applied again in `score`
  double ngram = 0.0;        ///< ln P_lm(words, </s>) unweighted (0 without a model)
  std::string text() const;  ///< words joined by spaces
};

// The best hypothesis. Without a word-complete hypothesis (a lexicon that cannot spell the
// input) the best partial one is returned with the words it completed. `lm` may be null
// (lexicon only). Throws ConfigError for invalid options.
Hypothesis beam_search(const float* log_probs, int frames, int classes, const Lexicon& lexicon,
                       const NgramLm* lm, const BeamSearchOptions& options);

// The best `n` (>= 1) hypotheses of the final beam with distinct word sequences, best first
// (fewer when the beam holds fewer; the best partial one alone when none is complete).
std::vector<Hypothesis> beam_search_nbest(const float* log_probs, int frames, int classes,
                                          const Lexicon& lexicon, const NgramLm* lm,
                                          const BeamSearchOptions& options, int n);

}  // namespace neuroscale::decode
