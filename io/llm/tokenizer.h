// A Hugging Face tokenizer.json with a byte-level BPE model (Qwen2, Llama 3, GPT-2 and the
// tokenizers they share a design with), encoding and decoding as the `tokenizers` library
// does:
//   1. added tokens (special or not) are found first, leftmost-longest, in the raw text
//      (lstrip / rstrip absorb the whitespace beside them);
//   2. the text between them is normalised (NFC, or nothing) and pre-tokenized: regex
//      splits ("Isolated", PCRE2 with Unicode properties) and the ByteLevel step, which may
//      add a prefix space and split with GPT-2's pattern, then maps every byte to its
//      printable stand-in (bytes 33-126, 161-172, 174-255 map to themselves, the other 68
//      to U+0100 + n in order);
//   3. each piece is looked up whole when the model ignores merges and has it, else split
//      into characters and merged pair by pair, lowest merge rank first (leftmost on ties);
//   4. with special tokens requested, the post-processor's template adds its tokens
//      (Llama 3's <|begin_of_text|>).
// Decoding maps the stand-ins back to bytes (invalid UTF-8 becomes U+FFFD, as tokenizers'
// lossy decoding). Anything else (a Unigram or WordPiece model, a Metaspace pre-tokenizer,
// byte fallback, another normaliser) is refused by name.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace neuroscale::io {

struct AddedToken {
  std::int64_t id = 0;
  std::string content;
  bool special = false;
  bool lstrip = false, rstrip = false;
};

class BpeTokenizer {
 public:
  // Reads and validates `path`. Throws DataError naming the file and the field at fault.
  static BpeTokenizer from_file(const std::string& path);
  // The same from the JSON text (`source` names it in messages).
  static BpeTokenizer from_json(const std::string& text, const std::string& source);

  // Token ids of `text` (valid UTF-8; DataError otherwise). `add_special_tokens`: apply
  // the post-processor's template (tokenizers' default for encode()).
  std::vector<std::int64_t> encode(std::string_view text, bool add_special_tokens = false) const;
  // The text of `ids`; special added tokens left out when `skip_special_tokens`. Throws
  // UsageError for an id the tokenizer does not have.
  std::string decode(const std::vector<std::int64_t>& ids, bool skip_special_tokens = false) const;

  // One past the largest id (vocabulary and added tokens).
  std::int64_t vocab_size() const;
  std::optional<std::int64_t> token_id(const std::string& token) const;
  // The token's text as the vocabulary spells it (an added token's content); "" for an id the
  // tokenizer does not have.
  std::string token(std::int64_t id) const;
  const std::vector<AddedToken>& added_tokens() const;
  const std::string& source() const;

  // The parsed file (io/llm/tokenizer_data.h, internal to the reader and the encoder).
  struct Data;

 private:
  explicit BpeTokenizer(std::shared_ptr<const Data> data);
  std::shared_ptr<const Data> data_;
};

// The printable stand-in of every byte (UTF-8), as byte-level BPE vocabularies spell them.
const std::vector<std::string>& byte_level_alphabet();

}  // namespace neuroscale::io
