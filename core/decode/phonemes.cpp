#include "core/decode/phonemes.h"

#include <cctype>

namespace neuroscale::decode {

const std::vector<std::string>& phoneme_symbols() {
  static const std::vector<std::string> kSymbols = {
      "BLANK", "AA", "AE", "AH", "AO", "AW", "AY", "B", "CH", "D", "DH", "EH", "ER", "EY",
      "F",     "G",  "HH", "IH", "IY", "JH", "K",  "L", "M",  "N", "NG", "OW", "OY", "P",
      "R",     "S",  "SH", "T",  "TH", "UH", "UW", "V", "W",  "Y", "Z",  "ZH", "SIL"};
  return kSymbols;
}

int phoneme_id(std::string symbol) {
  while (!symbol.empty() && std::isdigit(static_cast<unsigned char>(symbol.back())))
    symbol.pop_back();
  for (auto& c : symbol) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (symbol == "|") return kSilence;
  const auto& symbols = phoneme_symbols();
  for (int id = 1; id < kClasses; ++id) {
    if (symbols[static_cast<std::size_t>(id)] == symbol) return id;
  }
  return -1;
}

std::string phoneme_string(const std::vector<int>& ids) {
  std::string text;
  for (int id : ids) {
    if (!text.empty()) text += ' ';
    text += id >= 0 && id < kClasses ? phoneme_symbols()[static_cast<std::size_t>(id)] : "?";
  }
  return text;
}

}  // namespace neuroscale::decode
