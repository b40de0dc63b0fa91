// Training a byte-level BPE tokenizer on text, written as a Hugging Face tokenizer.json that
// BpeTokenizer and the `tokenizers` library both read: NFC normalisation, Qwen2's split
// pattern, the ByteLevel step without a prefix space, the 256 byte stand-ins as the base
// vocabulary (so every text encodes), then merges learnt greedily: each round merges the
// most frequent adjacent pair over the words of the text (ties: the lexicographically
// smallest pair), until the vocabulary is full or no pair occurs twice.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace neuroscale::io {

struct BpeTrainingOptions {
  std::int64_t vocab_size = 4096;  ///< special tokens + 256 bytes + merges
  /// added first (ids 0, 1, ...), special
  std::vector<std::string> special_tokens = {"<|begin_of_text|>", "<|end_of_text|>"};
  std::int64_t min_frequency = 2;  ///< a pair seen fewer times is never merged
};

// tokenizer.json text for the tokenizer trained on `lines`. Throws ConfigError when
// vocab_size leaves no room above the specials and the bytes; DataError for text that is
// not valid UTF-8 (naming the line).
std::string train_bpe_tokenizer(const std::vector<std::string>& lines,
                                const BpeTrainingOptions& options);

}  // namespace neuroscale::io
