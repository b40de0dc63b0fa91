#include "io/llm/unicode_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <utf8proc.h>

#include <cstdlib>

#include "core/check.h"

namespace neuroscale::io {

struct UnicodeRegex::Impl {
  pcre2_code* code = nullptr;
  pcre2_match_data* match = nullptr;
  ~Impl() {
    if (match != nullptr) pcre2_match_data_free(match);
    if (code != nullptr) pcre2_code_free(code);
  }
};

UnicodeRegex::UnicodeRegex(const std::string& pattern, const std::string& what)
    : impl_(std::make_unique<Impl>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                              PCRE2_UTF | PCRE2_UCP, &error, &offset, nullptr);
  if (impl_->code == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof(message));
    NS_THROW(DataError, what, ": the pattern '", pattern, "' does not compile at offset ", offset,
             ": ", reinterpret_cast<const char*>(message));
  }
  pcre2_jit_compile(impl_->code,
                    PCRE2_JIT_COMPLETE);  // falls back to the interpreter when unavailable
  impl_->match = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
  NS_CHECK(impl_->match != nullptr, "out of memory for PCRE2 match data");
}

UnicodeRegex::~UnicodeRegex() = default;
UnicodeRegex::UnicodeRegex(UnicodeRegex&&) noexcept = default;
UnicodeRegex& UnicodeRegex::operator=(UnicodeRegex&&) noexcept = default;

std::vector<std::pair<std::size_t, std::size_t>> UnicodeRegex::matches(
    std::string_view text) const {
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  std::size_t start = 0;
  while (start <= text.size()) {
    const int rc = pcre2_match(impl_->code, subject, text.size(), start, 0, impl_->match, nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(rc, message, sizeof(message));
      NS_THROW(DataError, "cannot split the text: ", reinterpret_cast<const char*>(message));
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(impl_->match);
    const std::size_t begin = ovector[0], end = ovector[1];
    if (end > begin) {
      spans.emplace_back(begin, end);
      start = end;
    } else {  // an empty match: step over one UTF-8 character
      start = begin + 1;
      while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
        ++start;
    }
  }
  return spans;
}

std::string normalize_nfc(std::string_view text, const std::string& what) {
  utf8proc_uint8_t* result = nullptr;
  const auto length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                   static_cast<utf8proc_ssize_t>(text.size()), &result,
                   static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE));
  NS_CHECK_AS(DataError, length >= 0, what, ": cannot normalise the text (",
              utf8proc_errmsg(length), ")");
  std::string out(reinterpret_cast<const char*>(result), static_cast<std::size_t>(length));
  std::free(result);
  return out;
}

bool valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    utf8proc_int32_t code = 0;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data()) + i,
                                    static_cast<utf8proc_ssize_t>(text.size() - i), &code);
    if (n <= 0) return false;
    i += static_cast<std::size_t>(n);
  }
  return true;
}

std::vector<std::string> split_isolated(const UnicodeRegex& regex, std::string_view text) {
  std::vector<std::string> pieces;
  std::size_t last = 0;
  for (const auto& [begin, end] : regex.matches(text)) {
    if (begin > last) pieces.emplace_back(text.substr(last, begin - last));
    pieces.emplace_back(text.substr(begin, end - begin));
    last = end;
  }
  if (last < text.size()) pieces.emplace_back(text.substr(last));
  return pieces;
}

}  // namespace neuroscale::io
