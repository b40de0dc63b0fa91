#include "io/run/metrics_log.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <sstream>

#include "core/check.h"

namespace neuroscale::io {

std::string format_metrics_line(std::int64_t step, const std::map<std::string, double>& values) {
  std::ostringstream out;
  out << std::setprecision(9) << "{\"step\": " << step;
  for (const auto& [key, value] : values) {
    out << ", \"" << key << "\": ";
    if (std::isfinite(value)) out << value; else out << "null";
  }
  out << "}\n";
  return out.str();
}

namespace {

// One line parsed (JSON is YAML's flow syntax); throws a message without the location.
MetricsLine parse_line(const std::string& line) {
  const YAML::Node node = YAML::Load(line);
  NS_CHECK_AS(DataError, node.IsMap(), "not a JSON object");
  NS_CHECK_AS(DataError, node["step"] && node["step"].IsScalar(), "no \"step\"");
  MetricsLine record;
  record.step = node["step"].as<std::int64_t>();
  for (const auto& item : node) {
    const auto key = item.first.as<std::string>();
    if (key == "step") continue;
    NS_CHECK_AS(DataError, item.second.IsScalar() || item.second.IsNull(), "\"", key, "\" is not a number");
    record.values[key] =
        item.second.IsNull() ? std::numeric_limits<double>::quiet_NaN() : item.second.as<double>();
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
      NS_THROW(DataError, "'", path, "' line ", number, ": not a metrics record (", error.what(), ")");
    }
  }
  return records;
}

}  // namespace neuroscale::io
