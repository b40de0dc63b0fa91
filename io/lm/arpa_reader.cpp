#include "io/lm/arpa_reader.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include "core/check.h"

namespace neuroscale::io {
namespace {

double parse_number(const std::string& text, const std::string& where) {
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  NS_THROW(DataError, where, ": '", text, "' is not a number");
}

// A whole number in [lo, hi] (an n-gram order or count): never cast from an arbitrary double.
std::int64_t parse_count(const std::string& text, std::int64_t lo, std::int64_t hi,
                         const std::string& where) {
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  NS_CHECK_AS(DataError, used > 0 && used == text.size() && value >= lo && value <= hi, where,
              ": '", text, "' is not a whole number in [", lo, ", ", hi, "]");
  return value;
}

}  // namespace

decode::NgramLm read_arpa(const std::string& path) {
  std::ifstream in(path);
  NS_CHECK_AS(DataError, in.good(), "cannot read language model '", path, "'");
  std::string line;
  std::int64_t number = 0;
  auto where = [&] { return "'" + path + "' line " + std::to_string(number); };
  auto next_line = [&] {
    if (!std::getline(in, line)) return false;
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  };
  // \data\ with the counts (anything before it is a header).
  bool found = false;
  while (!found && next_line()) found = line == "\\data\\";
  NS_CHECK_AS(DataError, found, "'", path, "' is not an ARPA language model (no \\data\\ line)");
  std::map<int, std::int64_t> counts;
  while (next_line()) {
    if (line.empty()) {
      if (counts.empty()) continue;
      break;
    }
    NS_CHECK_AS(DataError, line.rfind("ngram ", 0) == 0 && line.find('=') != std::string::npos,
                where(), ": expected 'ngram N=COUNT', got '", line, "'");
    const auto equals = line.find('=');
    const auto order = static_cast<int>(parse_count(line.substr(6, equals - 6), 1, 16, where()));
    counts[order] = parse_count(line.substr(equals + 1), 0, std::int64_t{1} << 40, where());
  }
  NS_CHECK_AS(DataError, !counts.empty(), "'", path, "': \\data\\ lists no n-gram counts");
  const int order = counts.rbegin()->first;
  NS_CHECK_AS(DataError, order >= 1 && order <= 16 && static_cast<int>(counts.size()) == order, "'",
              path, "': \\data\\ must list ngram 1.. up to the order (got ", counts.size(),
              " counts, highest ", order, ")");
  decode::NgramLm lm(order);
  int section = 0;
  std::int64_t seen = 0;
  bool ended = false;
  std::vector<int> ids;
  while (next_line()) {
    if (line.empty()) continue;
    if (line[0] == '\\') {
      if (section > 0) {
        NS_CHECK_AS(DataError, seen == counts[section], "'", path, "': \\data\\ promises ",
                    counts[section], " ", section, "-grams, the file has ", seen);
      }
      if (line == "\\end\\") {
        ended = true;
        break;
      }
      int next = 0;
      NS_CHECK_AS(DataError,
                  std::sscanf(line.c_str(), "\\%d-grams:", &next) == 1 && next == section + 1,
                  where(), ": expected the \\", section + 1, "-grams: section, got '", line, "'");
      section = next;
      seen = 0;
      continue;
    }
    NS_CHECK_AS(DataError, section > 0, where(), ": an entry before the first n-gram section");
    std::istringstream fields(line);
    std::vector<std::string> parts;
    for (std::string part; fields >> part;) parts.push_back(part);
    const std::size_t n = static_cast<std::size_t>(section);
    NS_CHECK_AS(DataError, parts.size() == n + 1 || parts.size() == n + 2, where(), ": a ", section,
                "-gram needs log10-probability, ", section,
                " word(s) and an optional backoff; got ", parts.size(), " fields");
    ids.clear();
    for (std::size_t w = 0; w < n; ++w) ids.push_back(lm.intern(parts[1 + w]));
    const double backoff = parts.size() == n + 2 ? parse_number(parts.back(), where()) : 0.0;
    lm.add(ids, parse_number(parts[0], where()), backoff);
    ++seen;
  }
  NS_CHECK_AS(DataError, ended, "'", path, "' ends before \\end\\ (truncated?)");
  NS_CHECK_AS(DataError, section == order, "'", path, "': \\data\\ promises order ", order,
              " but the file has ", section, " sections");
  return lm;
}

}  // namespace neuroscale::io
