#include "io/lm/lexicon_reader.h"

#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/check.h"

namespace neuroscale::io {

decode::Lexicon read_lexicon(const std::string& path) {
  std::ifstream in(path);
  NS_CHECK_AS(DataError, in.good(), "cannot read lexicon '", path, "'");
  decode::Lexicon lexicon;
  std::string line;
  std::int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.rfind(";;;", 0) == 0 || line[0] == '#') continue;
    const auto comment = line.find(" #");  // cmudict.dict: "word  PH PH # foreign"
    if (comment != std::string::npos) line.erase(comment);
    std::istringstream fields(line);
    std::string word, symbol;
    fields >> word;
    if (word.empty()) continue;
    const auto paren = word.find('(');
    if (paren != std::string::npos && paren > 0 && word.back() == ')') word = word.substr(0, paren);
    for (auto& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::vector<int> phonemes;
    while (fields >> symbol) {
      const int id = decode::phoneme_id(symbol);
      NS_CHECK_AS(DataError, id > decode::kBlank && id < decode::kSilence, "'", path, "' line ",
                  number, ": '", symbol, "' (in '", word, "') is not one of the 39 phonemes");
      phonemes.push_back(id);
    }
    NS_CHECK_AS(DataError, !phonemes.empty(), "'", path, "' line ", number, ": '", word,
                "' has no phonemes");
    lexicon.add(word, phonemes);
  }
  NS_CHECK_AS(DataError, lexicon.size() > 0, "lexicon '", path, "' holds no words");
  return lexicon;
}

}  // namespace neuroscale::io
