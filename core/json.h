// JSON through nlohmann/json: the engine's JSON files (evaluation.json, alignment.json,
// plot data, safetensors headers, traces) are built as nlohmann objects and dumped by it;
// these helpers add the two layouts it does not have.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace neuroscale {

// `text` as a JSON string literal, quotes included (invalid UTF-8 replaced by U+FFFD).
std::string json_quote(const std::string& text);

// A value on one line in the JSON Lines style people grep: {"step": 10, "loss": 0.91},
// [1, 2]. Keys in the object's order; NaN and infinities are written as null. No newline.
std::string json_line(const nlohmann::ordered_json& value);

// The whole document, indented by two spaces, with a trailing newline (files people read).
std::string json_document(const nlohmann::ordered_json& document);

}  // namespace neuroscale
