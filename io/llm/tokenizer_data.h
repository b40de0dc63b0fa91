// What a parsed tokenizer.json holds (io/llm/tokenizer.h): shared by the reader
// (tokenizer_json.cpp) and the encoder (tokenizer.cpp). Not part of the interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "io/llm/tokenizer.h"
#include "io/llm/unicode_regex.h"

namespace neuroscale::io {

struct BpeTokenizer::Data {
  std::string source;
  bool nfc = false;
  std::vector<UnicodeRegex> splits;  // "Isolated" regex splits before the ByteLevel step
  bool add_prefix_space = false;     // ByteLevel
  std::optional<UnicodeRegex> byte_level_regex;  // ByteLevel use_regex: GPT-2's pattern
  bool ignore_merges = false;
  std::unordered_map<std::string, std::int64_t> vocab;
  std::vector<std::string> tokens;  // id -> vocabulary string ("" for a hole)
  std::unordered_map<std::string, std::int64_t> merge_ranks;  // "left right" -> rank
  std::vector<AddedToken> added;  // longest content first, for leftmost-longest matching
  std::vector<AddedToken> added_in_file_order;
  std::unordered_map<std::int64_t, std::size_t> added_by_id;  // id -> index in `added`
  std::vector<std::int64_t> prefix_ids, suffix_ids;  // the post-processor's single template
};

}  // namespace neuroscale::io
