// Unicode text for tokenizers: NFC normalisation and UTF-8 checks (utf8proc), and a
// compiled PCRE2 regular expression over UTF-8 with Unicode properties (\p{L}, \p{N}, and
// \s as Unicode whitespace): what byte-level BPE pre-tokenizers split text with. RAII over
// the PCRE2 code and match data; JIT-compiled where PCRE2 supports it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace neuroscale::io {

class UnicodeRegex {
 public:
  // Throws DataError naming `what` (the file and field it came from), the pattern and
  // PCRE2's message with the offset when the pattern does not compile.
  UnicodeRegex(const std::string& pattern, const std::string& what);
  ~UnicodeRegex();
  UnicodeRegex(UnicodeRegex&&) noexcept;
  UnicodeRegex& operator=(UnicodeRegex&&) noexcept;

  // Byte spans [begin, end) of the successive non-overlapping matches in `text` (valid
  // UTF-8), left to right. An empty match advances by one character.
  std::vector<std::pair<std::size_t, std::size_t>> matches(std::string_view text) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `text` in Unicode normalisation form C (composed). Throws DataError naming `what` when the
// text is not valid UTF-8.
std::string normalize_nfc(std::string_view text, const std::string& what);

// Whether `text` is valid UTF-8.
bool valid_utf8(std::string_view text);

// `text` cut into pieces by `regex` as tokenizers' Split with behaviour "Isolated": every
// match is a piece, and so is every non-empty stretch between matches.
std::vector<std::string> split_isolated(const UnicodeRegex& regex, std::string_view text);

}  // namespace neuroscale::io
