// The 41 output classes of phoneme decoding, as the Brain-to-Text benchmarks define them:
// 0 blank (CTC), 1-39 the ARPAbet phonemes AA..ZH without stress, 40 SIL (the word
// boundary, after every word of a sentence).
#pragma once

#include <string>
#include <vector>

namespace neuroscale::decode {

inline constexpr int kBlank = 0;
inline constexpr int kSilence = 40;
inline constexpr int kClasses = 41;

// "BLANK", "AA", ..., "ZH", "SIL" for ids 0..40.
const std::vector<std::string>& phoneme_symbols();
// The id of a symbol ("AH" -> 3, "SIL" or "|" -> 40); stress digits are ignored ("AH0" ->
// 3). -1 when it is not one of the 39 phonemes or SIL.
int phoneme_id(std::string symbol);
// Space-joined symbols, "HH AH L OW SIL".
std::string phoneme_string(const std::vector<int>& ids);

}  // namespace neuroscale::decode
