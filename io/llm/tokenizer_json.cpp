// Reading a tokenizer.json into BpeTokenizer::Data: every part checked, anything the
// encoder does not implement refused by its type name.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/check.h"
#include "io/fs/files.h"
#include "io/llm/tokenizer.h"
#include "io/llm/tokenizer_data.h"

namespace neuroscale::io {
namespace {

// GPT-2's pre-tokenizer pattern, which ByteLevel applies when use_regex is on.
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

using Json = nlohmann::json;

std::string type_of(const Json& node) {
  return node.is_object() && node.contains("type") && node["type"].is_string()
             ? node["type"].get<std::string>()
             : std::string("(no type)");
}

void refuse(const std::string& source, const std::string& field, const std::string& what) {
  NS_THROW(DataError, source, ": ", field, " ", what,
           " is not supported (byte-level BPE tokenizers only: ", "Qwen2, Llama 3, GPT-2 style)");
}

void read_normalizer(const Json& node, BpeTokenizer::Data& data) {
  if (node.is_null()) return;
  const auto type = type_of(node);
  if (type == "NFC") {
    data.nfc = true;
  } else if (type == "Sequence") {
    for (const auto& step : node.at("normalizers")) read_normalizer(step, data);
  } else {
    refuse(data.source, "normalizer", "'" + type + "'");
  }
}

void read_pre_tokenizer(const Json& node, BpeTokenizer::Data& data, bool& byte_level) {
  const auto type = type_of(node);
  if (type == "Sequence") {
    for (const auto& step : node.at("pretokenizers")) read_pre_tokenizer(step, data, byte_level);
    return;
  }
  if (byte_level) refuse(data.source, "pre_tokenizer", "a step after ByteLevel ('" + type + "')");
  if (type == "Split") {
    const auto& pattern = node.at("pattern");
    const auto behavior = node.value("behavior", std::string());
    if (behavior != "Isolated")
      refuse(data.source, "pre_tokenizer Split behavior", "'" + behavior + "'");
    if (node.value("invert", false)) refuse(data.source, "pre_tokenizer Split", "with invert");
    if (pattern.contains("Regex")) {
      data.splits.emplace_back(pattern["Regex"].get<std::string>(),
                               data.source + ": pre_tokenizer Split");
    } else {
      refuse(data.source, "pre_tokenizer Split pattern", pattern.dump());
    }
  } else if (type == "ByteLevel") {
    byte_level = true;
    data.add_prefix_space = node.value("add_prefix_space", false);
    if (node.value("use_regex", true)) data.byte_level_regex.emplace(kGpt2Pattern, "GPT-2 pattern");
  } else {
    refuse(data.source, "pre_tokenizer", "'" + type + "'");
  }
}

void read_model(const Json& model, BpeTokenizer::Data& data) {
  const auto type = type_of(model);
  if (type != "BPE") refuse(data.source, "model", "'" + type + "'");
  if (model.value("byte_fallback", false))
    refuse(data.source, "model", "with byte_fallback (a SentencePiece-style BPE)");
  for (const char* field : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (model.contains(field) && !model[field].is_null() &&
        !model[field].get<std::string>().empty()) {
      refuse(data.source, std::string("model ") + field,
             "'" + model[field].get<std::string>() + "'");
    }
  }
  if (model.contains("dropout") && !model["dropout"].is_null())
    refuse(data.source, "model", "with BPE dropout");
  data.ignore_merges = model.value("ignore_merges", false);
  const auto& vocab = model.at("vocab");
  NS_CHECK_AS(DataError, vocab.is_object() && !vocab.empty(), data.source,
              ": model.vocab must be a non-empty object");
  for (const auto& [token, id_node] : vocab.items()) {
    NS_CHECK_AS(DataError, id_node.is_number_unsigned(), data.source, ": model.vocab['", token,
                "'] is not a non-negative id");
    const auto id = id_node.get<std::int64_t>();
    NS_CHECK_AS(DataError, id < (std::int64_t{1} << 24), data.source, ": model.vocab['", token,
                "'] = ", id, " is implausibly large");
    if (static_cast<std::size_t>(id) >= data.tokens.size())
      data.tokens.resize(static_cast<std::size_t>(id) + 1);
    NS_CHECK_AS(DataError, data.tokens[static_cast<std::size_t>(id)].empty(), data.source,
                ": model.vocab gives id ", id, " to both '",
                data.tokens[static_cast<std::size_t>(id)], "' and '", token, "'");
    data.tokens[static_cast<std::size_t>(id)] = token;
    data.vocab[token] = id;
  }
  std::int64_t rank = 0;
  for (const auto& merge : model.at("merges")) {
    std::string left, right;
    if (merge.is_string()) {  // "left right"
      const auto text = merge.get<std::string>();
      const auto space = text.find(' ');
      NS_CHECK_AS(DataError,
                  space != std::string::npos && space > 0 && space + 1 < text.size() &&
                      text.find(' ', space + 1) == std::string::npos,
                  data.source, ": merge ", rank, " '", text,
                  "' is not two tokens separated by one space");
      left = text.substr(0, space);
      right = text.substr(space + 1);
    } else {  // ["left", "right"] (newer files)
      NS_CHECK_AS(DataError, merge.is_array() && merge.size() == 2, data.source, ": merge ", rank,
                  " ", merge.dump(), " is not a pair of tokens");
      left = merge[0].get<std::string>();
      right = merge[1].get<std::string>();
    }
    NS_CHECK_AS(DataError,
                data.vocab.count(left) && data.vocab.count(right) && data.vocab.count(left + right),
                data.source, ": merge ", rank, " ('", left, "', '", right,
                "') names a token missing from the vocabulary");
    data.merge_ranks.emplace(left + " " + right, rank++);
  }
}

void read_added_tokens(const Json& list, BpeTokenizer::Data& data) {
  if (list.is_null()) return;
  for (const auto& node : list) {
    AddedToken token;
    token.id = node.at("id").get<std::int64_t>();
    token.content = node.at("content").get<std::string>();
    token.special = node.value("special", false);
    token.lstrip = node.value("lstrip", false);
    token.rstrip = node.value("rstrip", false);
    NS_CHECK_AS(DataError, token.id >= 0 && !token.content.empty(), data.source, ": added token ",
                node.dump(), " needs a non-negative id and content");
    if (node.value("single_word", false))
      refuse(data.source, "added token '" + token.content + "'", "with single_word");
    data.added_in_file_order.push_back(token);
  }
  data.added = data.added_in_file_order;
  std::stable_sort(
      data.added.begin(), data.added.end(),
      [](const AddedToken& a, const AddedToken& b) { return a.content.size() > b.content.size(); });
  for (std::size_t i = 0; i < data.added.size(); ++i) data.added_by_id[data.added[i].id] = i;
}

// The ids of the template's special tokens before and after the text ("A").
void read_post_processor(const Json& node, BpeTokenizer::Data& data) {
  if (node.is_null()) return;
  const auto type = type_of(node);
  if (type == "ByteLevel") return;  // offsets only
  if (type == "Sequence") {
    for (const auto& step : node.at("processors")) read_post_processor(step, data);
    return;
  }
  if (type != "TemplateProcessing") refuse(data.source, "post_processor", "'" + type + "'");
  bool after = false;
  for (const auto& item : node.at("single")) {
    if (item.contains("Sequence")) {
      after = true;
      continue;
    }
    const auto name = item.at("SpecialToken").at("id").get<std::string>();
    const auto& special = node.at("special_tokens");
    NS_CHECK_AS(DataError, special.contains(name), data.source, ": post_processor template names '",
                name, "', which its special_tokens lack");
    for (const auto& id : special[name].at("ids"))
      (after ? data.suffix_ids : data.prefix_ids).push_back(id.get<std::int64_t>());
  }
}

}  // namespace

BpeTokenizer BpeTokenizer::from_json(const std::string& text, const std::string& source) {
  auto data = std::make_shared<Data>();
  data->source = source;
  try {
    const auto root = Json::parse(text);
    NS_CHECK_AS(DataError, root.is_object() && root.contains("model"), source,
                " is not a Hugging Face tokenizer.json (no \"model\")");
    read_model(root["model"], *data);
    read_added_tokens(root.value("added_tokens", Json()), *data);
    read_normalizer(root.value("normalizer", Json()), *data);
    bool byte_level = false;
    const auto pre = root.value("pre_tokenizer", Json());
    if (!pre.is_null()) read_pre_tokenizer(pre, *data, byte_level);
    if (!byte_level) refuse(source, "pre_tokenizer", "without a ByteLevel step");
    const auto decoder = root.value("decoder", Json());
    if (type_of(decoder) != "ByteLevel") refuse(source, "decoder", "'" + type_of(decoder) + "'");
    read_post_processor(root.value("post_processor", Json()), *data);
  } catch (const Json::exception& error) {
    NS_THROW(DataError, source, ": malformed tokenizer.json: ", error.what());
  }
  return BpeTokenizer(std::move(data));
}

BpeTokenizer BpeTokenizer::from_file(const std::string& path) {
  const auto text = read_file(path);
  NS_CHECK_AS(DataError, text.has_value(), "cannot read '", path, "': ", std::strerror(errno));
  return from_json(*text, "'" + path + "'");
}

}  // namespace neuroscale::io
