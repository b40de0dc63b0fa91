// What `lm train` does to its text before training: lines read, a tokenizer (given, a base
// model's, or trained on the text), the BOS and EOS ids, and token sequences.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/log.h"
#include "distributed/text_data.h"
#include "io/llm/hf_model.h"
#include "io/llm/tokenizer.h"
#include "jobs/schema/lm_schema.h"

namespace neuroscale::jobs {

struct LmTokenizer {
  io::BpeTokenizer tokenizer;
  std::string json;    ///< its tokenizer.json text (written with the model)
  std::string origin;  ///< "trained on FILE (N merges)" or the file it came from
};

// A non-empty line of a text file and its 1-based number.
struct TextLine {
  std::size_t number = 0;
  std::string text;
};

// The non-empty lines of `path` (trailing CR removed). Throws DataError naming `key` (the
// option or config key that named the file) and the file when it cannot be read or has no
// non-empty line.
std::vector<TextLine> read_numbered_lines(const std::string& path, const std::string& key);
// The same, the texts only.
std::vector<std::string> read_text_lines(const std::string& path, const std::string& key);

// data.tokenizer's, or one trained on `lines` (data.vocab_size).
LmTokenizer make_tokenizer(const LmDataConfig& data, const std::vector<std::string>& lines,
                           Logger& log);
// The tokenizer of a base model directory (model.init_from); DataError without one.
LmTokenizer tokenizer_of(const io::HfCausalLm& base);

// The id of `name` (a key's value) or, when empty, of the first of `defaults` the tokenizer
// has. ConfigError naming `key` when there is none.
std::int64_t special_token(const io::BpeTokenizer& tokenizer, const std::string& name,
                           const std::string& key, const std::vector<std::string>& defaults);

// The base weights adapter-only checkpoints refer to: the files' names, sizes and XXH64s
// (content, not paths, so a moved directory still resumes).
std::string base_weights_reference(const io::HfCausalLm& base);

// BOS + tokens + EOS per line, cut to `max_length` tokens (EOS kept last).
distributed::TokenSequences tokenize_lines(const io::BpeTokenizer& tokenizer,
                                           const std::vector<std::string>& lines, std::int64_t bos,
                                           std::int64_t eos, std::int64_t max_length);

}  // namespace neuroscale::jobs
