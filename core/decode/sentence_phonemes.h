// Phoneme labels of a sentence from a pronunciation lexicon, as the Brain-to-Text '24 labels
// were made (the competition's formatCompetitionData step with g2p_en): the sentence is
// cleaned (letters, '-', '\'' and spaces kept, "--" dropped, lower case), split into words,
// each word's first pronunciation taken (stress dropped: the lexicon holds the 39 phonemes),
// and SIL follows every word. g2p_en predicts the pronunciation of a word its CMU dictionary
// lacks with a neural network and splits contractions as NLTK's tokenizer does; here a word
// the lexicon lacks is reported instead (docs/cli.md, `ingest`).
#pragma once

#include <string>
#include <vector>

#include "core/decode/lexicon.h"

namespace neuroscale::decode {

// The sentence as g2p sees it: letters, '-', '\'' and spaces kept, "--" removed, lower case.
std::string clean_for_pronunciation(const std::string& sentence);

struct SentencePhonemes {
  std::vector<int> labels;           ///< phoneme ids, SIL (40) after each word
  std::vector<std::string> unknown;  ///< words the lexicon lacks (labels then incomplete)
};

SentencePhonemes sentence_phonemes(const std::string& sentence, const Lexicon& lexicon);

}  // namespace neuroscale::decode
