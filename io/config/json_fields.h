// Typed reads of a Hugging Face JSON file's fields (config.json, preprocessor_config.json):
// each read names the file and the field in its DataError when the field is missing or of
// another type, so a refused checkpoint says exactly what is wrong with it.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/check.h"

namespace neuroscale::io {

class JsonFields {
 public:
  // `root` must outlive this; `path` names it in messages.
  JsonFields(const nlohmann::json& root, std::string path) : root_(root), path_(std::move(path)) {}

  std::int64_t integer(const char* field) const {
    NS_CHECK_AS(DataError, root_.contains(field), "'", path_, "': ", field, " is missing");
    return integer_or(field, 0);
  }
  std::int64_t integer_or(const char* field, std::int64_t fallback) const {
    if (absent(field)) return fallback;
    NS_CHECK_AS(DataError, root_[field].is_number_integer(), "'", path_, "': ", field,
                " must be an integer, is ", root_[field].dump());
    return root_[field].get<std::int64_t>();
  }
  double number_or(const char* field, double fallback) const {
    if (absent(field)) return fallback;
    NS_CHECK_AS(DataError, root_[field].is_number(), "'", path_, "': ", field,
                " must be a number, is ", root_[field].dump());
    return root_[field].get<double>();
  }
  bool flag_or(const char* field, bool fallback) const {
    if (absent(field)) return fallback;
    NS_CHECK_AS(DataError, root_[field].is_boolean(), "'", path_, "': ", field,
                " must be true or false, is ", root_[field].dump());
    return root_[field].get<bool>();
  }
  std::string text_or(const char* field, const std::string& fallback) const {
    if (absent(field)) return fallback;
    NS_CHECK_AS(DataError, root_[field].is_string(), "'", path_, "': ", field,
                " must be a string, is ", root_[field].dump());
    return root_[field].get<std::string>();
  }
  // One integer or a list of integers (token ids, kernel sizes).
  std::vector<std::int64_t> integers(const char* field) const {
    if (absent(field)) return {};
    const auto& node = root_[field];
    if (node.is_number_integer()) return {node.get<std::int64_t>()};
    NS_CHECK_AS(DataError, node.is_array(), "'", path_, "': ", field,
                " must be an integer or a list of integers, is ", node.dump());
    std::vector<std::int64_t> result;
    for (const auto& item : node) {
      NS_CHECK_AS(DataError, item.is_number_integer(), "'", path_, "': ", field,
                  " must hold integers, is ", node.dump());
      result.push_back(item.get<std::int64_t>());
    }
    return result;
  }
  // Throws DataError naming the field and its value unless `supported`.
  void refuse_unless(bool supported, const char* field, const std::string& why) const {
    NS_CHECK_AS(DataError, supported, "'", path_, "': ", field, " ",
                root_.contains(field) ? root_[field].dump() : std::string("(missing)"),
                " is not supported: ", why);
  }
  const nlohmann::json& root() const { return root_; }
  const std::string& path() const { return path_; }

 private:
  bool absent(const char* field) const { return !root_.contains(field) || root_[field].is_null(); }

  const nlohmann::json& root_;
  std::string path_;
};

// Parses `path` as a JSON object; throws DataError naming the file when it cannot be read,
// is not JSON or is not an object (`what` says what it should be).
nlohmann::json read_json_object(const std::string& path, const std::string& what);

}  // namespace neuroscale::io
