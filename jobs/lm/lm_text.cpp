#include "jobs/lm/lm_text.h"

#include <cerrno>
#include <cstring>

#include "core/check.h"
#include "core/text.h"
#include "io/fs/files.h"
#include "io/hash/xxhash64.h"
#include "io/llm/bpe_trainer.h"

namespace neuroscale::jobs {

std::vector<TextLine> read_numbered_lines(const std::string& path, const std::string& key) {
  const auto text = io::read_file(path);
  NS_CHECK_AS(DataError, text.has_value(), key, ": cannot read '", path,
              "': ", std::strerror(errno));
  std::vector<TextLine> lines;
  std::size_t start = 0, number = 0;
  while (start < text->size()) {
    auto end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    ++number;
    auto line = text->substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back({number, std::move(line)});
    start = end + 1;
  }
  NS_CHECK_AS(DataError, !lines.empty(), key, ": '", path, "' has no text (no non-empty line)");
  return lines;
}

std::vector<std::string> read_text_lines(const std::string& path, const std::string& key) {
  std::vector<std::string> texts;
  for (auto& line : read_numbered_lines(path, key)) texts.push_back(std::move(line.text));
  return texts;
}

LmTokenizer make_tokenizer(const LmDataConfig& data, const std::vector<std::string>& lines,
                           Logger& log) {
  if (!data.tokenizer.empty()) {
    const auto json = io::read_file(data.tokenizer);
    NS_CHECK_AS(DataError, json.has_value(), "data.tokenizer: cannot read '", data.tokenizer,
                "': ", std::strerror(errno));
    return {io::BpeTokenizer::from_json(*json, "'" + data.tokenizer + "'"), *json, data.tokenizer};
  }
  io::BpeTrainingOptions options;
  options.vocab_size = data.vocab_size;
  log.info("training a byte-level BPE tokenizer on ", lines.size(), " lines of '", data.text,
           "' (vocab_size ", data.vocab_size, ")");
  auto json = io::train_bpe_tokenizer(lines, options);
  auto tokenizer =
      io::BpeTokenizer::from_json(json, "the tokenizer trained on '" + data.text + "'");
  return {std::move(tokenizer), std::move(json), "byte-level BPE trained on " + data.text};
}

LmTokenizer tokenizer_of(const io::HfCausalLm& base) {
  const auto& tokenizer = io::require_tokenizer(base);
  const auto json = io::read_file(base.directory + "/tokenizer.json");
  NS_CHECK_AS(DataError, json.has_value(), "cannot read '", base.directory, "/tokenizer.json'");
  return {tokenizer, *json, base.directory + "/tokenizer.json"};
}

std::int64_t special_token(const io::BpeTokenizer& tokenizer, const std::string& name,
                           const std::string& key, const std::vector<std::string>& defaults) {
  if (!name.empty()) {
    const auto id = tokenizer.token_id(name);
    NS_CHECK_AS(ConfigError, id.has_value(), key, ": the tokenizer (", tokenizer.source(),
                ") has no token '", name, "'");
    return *id;
  }
  for (const auto& candidate : defaults) {
    if (const auto id = tokenizer.token_id(candidate)) return *id;
  }
  NS_THROW(ConfigError, key, ": the tokenizer (", tokenizer.source(), ") has none of ",
           join(defaults, ", "), "; name its token");
}

std::string base_weights_reference(const io::HfCausalLm& base) {
  std::string reference;
  for (const auto& file : base.weights.files) {
    const auto name = file.substr(file.rfind('/') + 1);
    reference +=
        (reference.empty() ? "" : ", ") + name + " xxh64=" + io::to_hex(io::xxhash64_file(file));
  }
  return reference;
}

distributed::TokenSequences tokenize_lines(const io::BpeTokenizer& tokenizer,
                                           const std::vector<std::string>& lines, std::int64_t bos,
                                           std::int64_t eos, std::int64_t max_length) {
  distributed::TokenSequences sequences;
  sequences.reserve(lines.size());
  for (const auto& line : lines) {
    std::vector<std::int64_t> ids = {bos};
    for (const auto id : tokenizer.encode(line)) ids.push_back(id);
    if (static_cast<std::int64_t>(ids.size()) >= max_length)
      ids.resize(static_cast<std::size_t>(max_length - 1));
    ids.push_back(eos);
    sequences.push_back(std::move(ids));
  }
  return sequences;
}

}  // namespace neuroscale::jobs
