#include "core/decode/error_rates.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace neuroscale::decode {

template <class T>
std::int64_t token_edit_distance(const std::vector<T>& a, const std::vector<T>& b) {
  std::vector<std::int64_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<std::int64_t>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::int64_t diagonal = row[0];
    row[0] = static_cast<std::int64_t>(i);
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::int64_t above = row[j];
      row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}
template std::int64_t token_edit_distance(const std::vector<int>&, const std::vector<int>&);
template std::int64_t token_edit_distance(const std::vector<std::string>&,
                                          const std::vector<std::string>&);

namespace {

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

std::string normalize_transcript(const std::string& text) {
  std::string kept;
  for (char c : text) {
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '-' || c == ' ' || c == '\'') kept += c;
  }
  replace_all(kept, "- ", " ");
  replace_all(kept, "--", "");
  replace_all(kept, " '", "'");
  for (auto& c : kept) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::istringstream words(kept);
  std::string word, out;
  while (words >> word) out += (out.empty() ? "" : " ") + word;
  return out;
}

std::vector<std::string> transcript_words(const std::string& text) {
  std::istringstream in(normalize_transcript(text));
  std::vector<std::string> words;
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

void ErrorCounts::add_phonemes(const std::vector<int>& decoded, const std::vector<int>& truth) {
  edits += token_edit_distance(decoded, truth);
  reference += static_cast<std::int64_t>(truth.size());
}

void ErrorCounts::add_words(const std::string& decoded, const std::string& truth) {
  const auto reference_words = transcript_words(truth);
  edits += token_edit_distance(transcript_words(decoded), reference_words);
  reference += static_cast<std::int64_t>(reference_words.size());
}

}  // namespace neuroscale::decode
