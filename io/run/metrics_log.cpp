#include "io/run/metrics_log.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>

#include "core/check.h"
#include "core/json.h"
#include "io/fs/files.h"

namespace neuroscale::io {

namespace {

// Nine significant digits (the logged means carry no more), and integral values as
// integers: "elements": 1120000, not 1120000.0. Non-finite values are null.
nlohmann::ordered_json metric_value(double value) {
  if (!std::isfinite(value)) return nullptr;
  char text[32];
  std::snprintf(text, sizeof(text), "%.9g", value);
  const double rounded = std::strtod(text, nullptr);
  if (std::fabs(rounded) < 1e15 && rounded == std::trunc(rounded))
    return static_cast<std::int64_t>(rounded);
  return rounded;
}

}  // namespace

std::string format_metrics_line(std::int64_t step, const std::map<std::string, double>& values) {
  nlohmann::ordered_json record;
  record["step"] = step;
  for (const auto& [key, value] : values) record[key] = metric_value(value);
  return json_line(record) + "\n";
}

namespace {

// One line parsed; throws a message without the location.
MetricsLine parse_line(const std::string& line) {
  nlohmann::json node;
  try {
    node = nlohmann::json::parse(line);
  } catch (const nlohmann::json::exception& error) {  // a syntax error, or a number out of range
    NS_THROW(DataError, "not JSON: ", error.what());
  }
  NS_CHECK_AS(DataError, node.is_object(), "not a JSON object");
  NS_CHECK_AS(DataError, node.contains("step") && node["step"].is_number_integer(),
              "no integer \"step\"");
  MetricsLine record;
  record.step = node["step"].get<std::int64_t>();
  for (const auto& [key, value] : node.items()) {
    if (key == "step") continue;
    NS_CHECK_AS(DataError, value.is_number() || value.is_null(), "\"", key, "\" is not a number");
    record.values[key] =
        value.is_null() ? std::numeric_limits<double>::quiet_NaN() : value.get<double>();
  }
  return record;
}

}  // namespace

std::vector<MetricsLine> read_metrics_log(const std::string& path) {
  std::ifstream in(path);
  std::vector<MetricsLine> records;
  if (!in) return records;
  std::string line;
  std::int64_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    const bool last = in.peek() == std::char_traits<char>::eof();
    try {
      records.push_back(parse_line(line));
    } catch (const std::exception& error) {
      if (last && line.back() != '}') break;  // torn final write
      NS_THROW(DataError, "'", path, "' line ", number, ": not a metrics record (", error.what(),
               ")");
    }
  }
  return records;
}

void rewind_metrics_log(const std::string& path, std::int64_t step) {
  std::ifstream in(path);
  if (!in) return;  // nothing logged yet
  std::string kept, line;
  while (std::getline(in, line)) {
    if (line.rfind("{\"step\":", 0) != 0) continue;
    char* end = nullptr;
    const long long logged = std::strtoll(line.c_str() + 8, &end, 10);
    if (end != line.c_str() + 8 && logged <= step) kept += line + "\n";
  }
  write_file_atomically(path, kept);
}

}  // namespace neuroscale::io
