// Phoneme and word error rates exactly as the Brain-to-Text benchmarks compute them:
//   PER = sum over trials of edit_distance(decoded ids, reference ids) / sum of reference
//         lengths (ids include SIL; blanks never appear after CTC collapsing);
//   WER = sum of word edit distances / sum of reference word counts, both sentences first
//         normalised as the benchmarks' remove_punctuation does (normalize_transcript).
// Rates are ratios of sums, not means of per-trial rates.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace neuroscale::decode {

// Levenshtein distance between token sequences (insertions, deletions, substitutions
// cost 1). O(|a| |b|) time, O(|b|) memory.
template <class T>
std::int64_t token_edit_distance(const std::vector<T>& a, const std::vector<T>& b);

// The benchmarks' remove_punctuation: keep letters, '-', ''' and spaces; "- " becomes " ",
// "--" is dropped, " '" becomes "'"; lower-case; words separated by single spaces.
std::string normalize_transcript(const std::string& text);
// normalize_transcript(text) split into words.
std::vector<std::string> transcript_words(const std::string& text);

// Summed edits and reference tokens over trials.
struct ErrorCounts {
  std::int64_t edits = 0;
  std::int64_t reference = 0;
  void add_phonemes(const std::vector<int>& decoded, const std::vector<int>& truth);
  void add_words(const std::string& decoded, const std::string& truth);
  // edits / reference (0 when there is no reference token).
  double rate() const {
    return reference > 0 ? static_cast<double>(edits) / static_cast<double>(reference) : 0.0;
  }
};

}  // namespace neuroscale::decode
