#include "core/json.h"

#include <nlohmann/json.hpp>

namespace neuroscale {
namespace {

constexpr auto kReplaceInvalid = nlohmann::ordered_json::error_handler_t::replace;

}  // namespace

std::string json_quote(const std::string& text) {
  return nlohmann::ordered_json(text).dump(-1, ' ', false, kReplaceInvalid);
}

std::string json_line(const nlohmann::ordered_json& value) {
  if (value.is_object()) {
    std::string line = "{";
    for (auto item = value.begin(); item != value.end(); ++item) {
      if (item != value.begin()) line += ", ";
      line += json_quote(item.key()) + ": " + json_line(item.value());
    }
    return line + "}";
  }
  if (value.is_array()) {
    std::string line = "[";
    for (auto item = value.begin(); item != value.end(); ++item) {
      if (item != value.begin()) line += ", ";
      line += json_line(*item);
    }
    return line + "]";
  }
  return value.dump(-1, ' ', false, kReplaceInvalid);
}

std::string json_document(const nlohmann::ordered_json& document) {
  return document.dump(2, ' ', false, kReplaceInvalid) + "\n";
}

}  // namespace neuroscale
