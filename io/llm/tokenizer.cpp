#include "io/llm/tokenizer.h"

#include <utf8proc.h>

#include <algorithm>
#include <cctype>
#include <climits>

#include "core/check.h"
#include "io/llm/tokenizer_data.h"

namespace neuroscale::io {
namespace {

std::string utf8(std::uint32_t code) {
  std::string out;
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
  return out;
}

// Stand-in (UTF-8) -> byte.
const std::unordered_map<std::string, unsigned char>& byte_of_stand_in() {
  static const auto kTable = [] {
    std::unordered_map<std::string, unsigned char> table;
    const auto& alphabet = byte_level_alphabet();
    for (int b = 0; b < 256; ++b)
      table[alphabet[static_cast<std::size_t>(b)]] = static_cast<unsigned char>(b);
    return table;
  }();
  return kTable;
}

// Length in bytes of the UTF-8 character starting with `lead`.
std::size_t char_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  return 4;
}

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// One pre-tokenized piece, as byte-level stand-ins, merged into vocabulary ids.
void encode_piece(const BpeTokenizer::Data& data, const std::string& piece,
                  std::vector<std::int64_t>& ids) {
  const auto& alphabet = byte_level_alphabet();
  std::string mapped;
  for (const char c : piece) mapped += alphabet[static_cast<unsigned char>(c)];
  if (data.ignore_merges) {
    const auto whole = data.vocab.find(mapped);
    if (whole != data.vocab.end()) {
      ids.push_back(whole->second);
      return;
    }
  }
  std::vector<std::string> symbols;
  for (std::size_t i = 0; i < mapped.size();) {
    const auto n = char_length(static_cast<unsigned char>(mapped[i]));
    symbols.push_back(mapped.substr(i, n));
    i += n;
  }
  while (symbols.size() > 1) {
    std::int64_t best_rank = LLONG_MAX;
    std::size_t best = 0;
    for (std::size_t i = 0; i + 1 < symbols.size(); ++i) {
      const auto it = data.merge_ranks.find(symbols[i] + " " + symbols[i + 1]);
      if (it != data.merge_ranks.end() && it->second < best_rank) {
        best_rank = it->second;
        best = i;
      }
    }
    if (best_rank == LLONG_MAX) break;
    symbols[best] += symbols[best + 1];
    symbols.erase(symbols.begin() + static_cast<std::ptrdiff_t>(best) + 1);
  }
  for (const auto& symbol : symbols) {
    const auto it = data.vocab.find(symbol);
    NS_CHECK_AS(DataError, it != data.vocab.end(), data.source,
                ": the vocabulary has no token for '", symbol, "' (from the text '", piece,
                "'; byte-level BPE without an unknown token)");
    ids.push_back(it->second);
  }
}

// Text between added tokens: normalise, pre-tokenize, byte-level BPE.
void encode_segment(const BpeTokenizer::Data& data, std::string_view segment,
                    std::vector<std::int64_t>& ids) {
  if (segment.empty()) return;
  std::vector<std::string> pieces = {data.nfc ? normalize_nfc(segment, data.source)
                                              : std::string(segment)};
  auto split_all = [&](const UnicodeRegex& regex) {
    std::vector<std::string> next;
    for (const auto& piece : pieces) {
      for (auto& part : split_isolated(regex, piece)) next.push_back(std::move(part));
    }
    pieces = std::move(next);
  };
  for (const auto& regex : data.splits) split_all(regex);
  if (data.add_prefix_space) {
    for (auto& piece : pieces) {
      if (!piece.empty() && piece.front() != ' ') piece.insert(piece.begin(), ' ');
    }
  }
  if (data.byte_level_regex) split_all(*data.byte_level_regex);
  for (const auto& piece : pieces) encode_piece(data, piece, ids);
}

// Replaces invalid UTF-8 by U+FFFD (one per maximal invalid stretch, as from_utf8_lossy).
std::string lossy_utf8(const std::string& bytes) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size();) {
    utf8proc_int32_t code = 0;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(bytes.data()) + i,
                                    static_cast<utf8proc_ssize_t>(bytes.size() - i), &code);
    if (n > 0) {
      out.append(bytes, i, static_cast<std::size_t>(n));
      i += static_cast<std::size_t>(n);
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
      while (i < bytes.size() && (static_cast<unsigned char>(bytes[i]) & 0xC0) == 0x80) ++i;
    }
  }
  return out;
}

}  // namespace

const std::vector<std::string>& byte_level_alphabet() {
  static const auto kAlphabet = [] {
    std::vector<std::string> alphabet(256);
    std::uint32_t next = 256;
    for (std::uint32_t b = 0; b < 256; ++b) {
      const bool printable =
          (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
      alphabet[b] = utf8(printable ? b : next++);
    }
    return alphabet;
  }();
  return kAlphabet;
}

BpeTokenizer::BpeTokenizer(std::shared_ptr<const Data> data) : data_(std::move(data)) {}

std::vector<std::int64_t> BpeTokenizer::encode(std::string_view text,
                                               bool add_special_tokens) const {
  const auto& data = *data_;
  NS_CHECK_AS(DataError, valid_utf8(text), data.source, ": the text to encode is not valid UTF-8");
  std::vector<std::int64_t> ids;
  if (add_special_tokens) ids = data.prefix_ids;
  std::size_t start = 0, position = 0;
  while (position < text.size()) {
    const AddedToken* found = nullptr;
    for (const auto& token : data.added) {  // longest first
      if (text.compare(position, token.content.size(), token.content) == 0) {
        found = &token;
        break;
      }
    }
    if (found == nullptr) {
      ++position;
      continue;
    }
    std::size_t segment_end = position, next = position + found->content.size();
    if (found->lstrip) {
      while (segment_end > start && is_space(text[segment_end - 1])) --segment_end;
    }
    if (found->rstrip) {
      while (next < text.size() && is_space(text[next])) ++next;
    }
    encode_segment(data, text.substr(start, segment_end - start), ids);
    ids.push_back(found->id);
    start = position = next;
  }
  encode_segment(data, text.substr(start), ids);
  if (add_special_tokens) ids.insert(ids.end(), data.suffix_ids.begin(), data.suffix_ids.end());
  return ids;
}

std::string BpeTokenizer::decode(const std::vector<std::int64_t>& ids,
                                 bool skip_special_tokens) const {
  const auto& data = *data_;
  const auto& bytes_of = byte_of_stand_in();
  std::string text, pending;  // pending: bytes of vocabulary tokens not yet flushed
  auto flush = [&] {
    text += lossy_utf8(pending);
    pending.clear();
  };
  for (const auto id : ids) {
    const auto added = data.added_by_id.find(id);
    if (added != data.added_by_id.end()) {
      const auto& token = data.added[added->second];
      flush();
      if (!(token.special && skip_special_tokens)) text += token.content;
      continue;
    }
    NS_CHECK_AS(UsageError,
                id >= 0 && id < static_cast<std::int64_t>(data.tokens.size()) &&
                    !data.tokens[static_cast<std::size_t>(id)].empty(),
                data.source, ": token id ", id, " is not in the vocabulary");
    const auto& token = data.tokens[static_cast<std::size_t>(id)];
    for (std::size_t i = 0; i < token.size();) {
      const auto n = char_length(static_cast<unsigned char>(token[i]));
      const auto it = bytes_of.find(token.substr(i, n));
      if (it != bytes_of.end()) {
        pending += static_cast<char>(it->second);
      } else {
        pending += token.substr(i, n);
      }
      i += n;
    }
  }
  flush();
  return text;
}

std::int64_t BpeTokenizer::vocab_size() const {
  std::int64_t size = static_cast<std::int64_t>(data_->tokens.size());
  for (const auto& token : data_->added) size = std::max(size, token.id + 1);
  return size;
}

std::optional<std::int64_t> BpeTokenizer::token_id(const std::string& token) const {
  for (const auto& added : data_->added) {
    if (added.content == token) return added.id;
  }
  const auto it = data_->vocab.find(token);
  if (it == data_->vocab.end()) return std::nullopt;
  return it->second;
}

std::string BpeTokenizer::token(std::int64_t id) const {
  const auto added = data_->added_by_id.find(id);
  if (added != data_->added_by_id.end()) return data_->added[added->second].content;
  if (id < 0 || id >= static_cast<std::int64_t>(data_->tokens.size())) return "";
  return data_->tokens[static_cast<std::size_t>(id)];
}

const std::vector<AddedToken>& BpeTokenizer::added_tokens() const {
  return data_->added_in_file_order;
}
const std::string& BpeTokenizer::source() const { return data_->source; }

}  // namespace neuroscale::io
