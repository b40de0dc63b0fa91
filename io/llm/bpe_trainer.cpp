#include "io/llm/bpe_trainer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "core/check.h"
#include "core/json.h"
#include "io/llm/tokenizer.h"
#include "io/llm/unicode_regex.h"

namespace neuroscale::io {
namespace {

constexpr const char* kSplitPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// The ByteLevel step as pre-tokenizer, post-processor and decoder: no prefix space, no
// regex of its own (the Split before it does the splitting).
nlohmann::ordered_json byte_level() {
  return {{"type", "ByteLevel"},
          {"add_prefix_space", false},
          {"trim_offsets", false},
          {"use_regex", false}};
}

struct Word {
  std::vector<std::int32_t> symbols;
  std::int64_t count = 0;
};

}  // namespace

std::string train_bpe_tokenizer(const std::vector<std::string>& lines,
                                const BpeTrainingOptions& options) {
  const auto specials = static_cast<std::int64_t>(options.special_tokens.size());
  NS_CHECK_AS(ConfigError, options.vocab_size > specials + 256, "tokenizer vocab_size ",
              options.vocab_size, " leaves no room for merges above ", specials,
              " special tokens and the 256 bytes");
  NS_CHECK_AS(ConfigError, options.min_frequency >= 1, "tokenizer min_frequency must be >= 1");
  // Words: the pre-tokenized pieces of every line, as byte stand-ins, with their counts.
  const UnicodeRegex split(kSplitPattern, "the tokenizer's split pattern");
  std::map<std::string, std::int64_t> counts;  // ordered: deterministic word order
  for (std::size_t i = 0; i < lines.size(); ++i) {
    NS_CHECK_AS(DataError, valid_utf8(lines[i]), "line ", i + 1,
                " of the tokenizer's training text is not valid UTF-8");
    for (const auto& piece :
         split_isolated(split, normalize_nfc(lines[i], "tokenizer training text"))) {
      ++counts[piece];
    }
  }
  const auto& alphabet = byte_level_alphabet();
  std::vector<std::string> symbols(alphabet.begin(), alphabet.end());  // symbol id -> stand-in text
  std::unordered_map<std::string, std::int32_t> symbol_ids;
  for (std::size_t b = 0; b < symbols.size(); ++b)
    symbol_ids[symbols[b]] = static_cast<std::int32_t>(b);
  std::vector<Word> words;
  for (const auto& [piece, count] : counts) {
    Word word;
    for (const char c : piece) word.symbols.push_back(static_cast<unsigned char>(c));
    word.count = count;
    words.push_back(std::move(word));
  }

  std::vector<std::pair<std::int32_t, std::int32_t>> merges;
  auto key = [](std::int32_t a, std::int32_t b) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(a)) << 32) |
           static_cast<std::uint32_t>(b);
  };
  while (static_cast<std::int64_t>(symbols.size()) < options.vocab_size - specials) {
    std::unordered_map<std::uint64_t, std::int64_t> pairs;
    for (const auto& word : words) {
      for (std::size_t i = 0; i + 1 < word.symbols.size(); ++i)
        pairs[key(word.symbols[i], word.symbols[i + 1])] += word.count;
    }
    std::int64_t best_count = 0;
    std::pair<std::int32_t, std::int32_t> best{-1, -1};
    for (const auto& [k, count] : pairs) {
      const std::pair<std::int32_t, std::int32_t> pair{static_cast<std::int32_t>(k >> 32),
                                                       static_cast<std::int32_t>(k & 0xffffffffu)};
      const bool better = count > best_count ||
                          (count == best_count && best.first >= 0 &&
                           std::make_pair(symbols[static_cast<std::size_t>(pair.first)],
                                          symbols[static_cast<std::size_t>(pair.second)]) <
                               std::make_pair(symbols[static_cast<std::size_t>(best.first)],
                                              symbols[static_cast<std::size_t>(best.second)]));
      if (better) {
        best_count = count;
        best = pair;
      }
    }
    if (best.first < 0 || best_count < options.min_frequency) break;
    // Two merges may spell the same token ("a"+"bc", "ab"+"c"): it keeps its first id.
    const auto text = symbols[static_cast<std::size_t>(best.first)] +
                      symbols[static_cast<std::size_t>(best.second)];
    const auto [it, fresh] = symbol_ids.emplace(text, static_cast<std::int32_t>(symbols.size()));
    if (fresh) symbols.push_back(text);
    const auto merged = it->second;
    merges.push_back(best);
    for (auto& word : words) {
      auto& s = word.symbols;
      std::size_t out = 0;
      for (std::size_t i = 0; i < s.size(); ++i) {
        if (i + 1 < s.size() && s[i] == best.first && s[i + 1] == best.second) {
          s[out++] = merged;
          ++i;
        } else {
          s[out++] = s[i];
        }
      }
      s.resize(out);
    }
  }

  nlohmann::ordered_json added = nlohmann::ordered_json::array();
  nlohmann::ordered_json vocab = nlohmann::ordered_json::object();
  for (std::int64_t i = 0; i < specials; ++i) {
    const auto& content = options.special_tokens[static_cast<std::size_t>(i)];
    added.push_back({{"id", i},
                     {"content", content},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
    vocab[content] = i;
  }
  for (std::size_t s = 0; s < symbols.size(); ++s)
    vocab[symbols[s]] = specials + static_cast<std::int64_t>(s);
  nlohmann::ordered_json merge_list = nlohmann::ordered_json::array();
  for (const auto& [a, b] : merges) {
    merge_list.push_back(
        {symbols[static_cast<std::size_t>(a)], symbols[static_cast<std::size_t>(b)]});
  }
  nlohmann::ordered_json root;
  root["version"] = "1.0";
  root["truncation"] = nullptr;
  root["padding"] = nullptr;
  root["added_tokens"] = added;
  root["normalizer"] = {{"type", "NFC"}};
  root["pre_tokenizer"] = {{"type", "Sequence"},
                           {"pretokenizers",
                            {{{"type", "Split"},
                              {"pattern", {{"Regex", kSplitPattern}}},
                              {"behavior", "Isolated"},
                              {"invert", false}},
                             byte_level()}}};
  root["post_processor"] = byte_level();
  root["decoder"] = byte_level();
  root["model"] = {{"type", "BPE"},
                   {"dropout", nullptr},
                   {"unk_token", nullptr},
                   {"continuing_subword_prefix", nullptr},
                   {"end_of_word_suffix", nullptr},
                   {"fuse_unk", false},
                   {"byte_fallback", false},
                   {"ignore_merges", false},
                   {"vocab", vocab},
                   {"merges", merge_list}};
  return root.dump(1) + "\n";
}

}  // namespace neuroscale::io
