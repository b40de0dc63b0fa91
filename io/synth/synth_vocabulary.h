// The synthetic corpus' vocabularies: words with their CMU-dictionary pronunciations
// (stress removed; phoneme ids in the 41-class layout of core/decode/phonemes.h).
// Generator 1 speaks 36 words; generator 2 draws from 248 common English words of
// conversation and care, most frequent first, with Zipf-distributed frequencies.
#pragma once

#include <string>
#include <vector>

namespace neuroscale::io {

struct SynthWord {
  std::string text;
  std::vector<int> phonemes;
};

// Generator 1's words, in its fixed order (its files depend on it).
const std::vector<SynthWord>& synth_words_v1();
// Generator 2's words, most frequent first.
const std::vector<SynthWord>& synth_words_v2();

// `words` in the CMU-dict lexicon format ("WORD  PH PH ..."), one line per word.
std::string lexicon_text(const std::vector<SynthWord>& words);

}  // namespace neuroscale::io
