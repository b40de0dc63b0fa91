#include "core/decode/sentence_phonemes.h"

#include <cctype>
#include <sstream>

namespace neuroscale::decode {

std::string clean_for_pronunciation(const std::string& sentence) {
  std::string kept;
  for (const char c : sentence) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalpha(u) || c == '-' || c == '\'' || c == ' ') {
      kept += static_cast<char>(std::tolower(u));
    }
  }
  std::string out;
  for (std::size_t i = 0; i < kept.size(); ++i) {
    if (kept[i] == '-' && i + 1 < kept.size() && kept[i + 1] == '-') {
      ++i;  // "--" is dropped
      continue;
    }
    out += kept[i];
  }
  return out;
}

SentencePhonemes sentence_phonemes(const std::string& sentence, const Lexicon& lexicon) {
  SentencePhonemes out;
  std::istringstream words(clean_for_pronunciation(sentence));
  for (std::string word; words >> word;) {
    const auto* phonemes = lexicon.pronunciation(word);
    if (phonemes == nullptr) {
      out.unknown.push_back(word);
      continue;
    }
    out.labels.insert(out.labels.end(), phonemes->begin(), phonemes->end());
    out.labels.push_back(kSilence);
  }
  return out;
}

}  // namespace neuroscale::decode
