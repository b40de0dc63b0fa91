#include "io/run/report_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <sstream>

#include "core/text.h"

namespace neuroscale::io {
namespace {

std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream in(path);
  std::string part;
  while (std::getline(in, part, '/')) {
    if (!part.empty() && part != ".") parts.push_back(part);
  }
  return parts;
}

// 4 significant digits ("1.234", "0.0123", "1.235e+05"); "" for none.
std::string short_number(double value) {
  if (!std::isfinite(value)) return "";
  char text[32];
  std::snprintf(text, sizeof(text), "%.4g", value);
  return text;
}

struct Column {
  std::string header;
  bool numeric;
  std::function<std::string(std::size_t)> cell;  // of run i
};

}  // namespace

std::vector<std::string> run_names(const std::vector<RunSummary>& runs) {
  std::vector<std::vector<std::string>> parts;
  for (const auto& run : runs) parts.push_back(components(run.path));
  // Leading directories every path shares (never a path's last part).
  const auto shared = [&](std::size_t k) {
    return std::all_of(parts.begin(), parts.end(), [&](const std::vector<std::string>& p) {
      return k + 1 < p.size() && p[k] == parts.front()[k];
    });
  };
  std::size_t common = 0;
  while (!parts.empty() && shared(common)) ++common;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const std::vector<std::string> rest(parts[i].begin() + static_cast<std::ptrdiff_t>(common),
                                        parts[i].end());
    names.push_back(rest.empty() ? runs[i].path : join(rest, "/"));
  }
  return names;
}

std::string report_table(const std::vector<RunSummary>& runs) {
  const auto names = run_names(runs);
  const auto value = [&](std::size_t i, std::map<std::string, double> RunSummary::*field,
                         const std::string& key) {
    const auto& values = runs[i].*field;
    const auto it = values.find(key);
    return it == values.end() ? std::string() : short_number(it->second);
  };
  std::vector<Column> columns = {
      {"run", false, [&](std::size_t i) { return names[i]; }},
      {"command", false, [&](std::size_t i) { return runs[i].command; }},
      {"status", false, [&](std::size_t i) { return runs[i].status; }},
      {"steps", true,
       [&](std::size_t i) { return runs[i].records.empty() ? "" : std::to_string(runs[i].step); }},
      {"ranks", true,
       [&](std::size_t i) { return runs[i].world_size ? std::to_string(runs[i].world_size) : ""; }},
      {"time", true,
       [&](std::size_t i) {
         return runs[i].train_time_s > 0 ? format_duration(runs[i].train_time_s) : "";
       }},
      {"samples/s", true,
       [&](std::size_t i) { return value(i, &RunSummary::throughput, "samples_per_s"); }},
  };
  // The metrics people compare, where some run has them.
  const auto any = [&](std::map<std::string, double> RunSummary::*field, const std::string& key) {
    return std::any_of(runs.begin(), runs.end(),
                       [&](const RunSummary& run) { return (run.*field).count(key) > 0; });
  };
  for (const char* key : {"loss", "val_loss", "per", "val_per"}) {
    if (any(&RunSummary::final, key)) {
      columns.push_back({key, true, [&, key = std::string(key)](std::size_t i) {
                           return value(i, &RunSummary::final, key);
                         }});
    }
    if (std::string(key).rfind("val_", 0) == 0 && any(&RunSummary::best, key)) {
      columns.push_back(
          {"best " + std::string(key), true, [&, key = std::string(key)](std::size_t i) {
             return value(i, &RunSummary::best, key);
           }});
    }
  }
  for (const char* key : {"per", "wer"}) {
    if (any(&RunSummary::evaluation, key)) {
      columns.push_back(
          {std::string("eval ") + key, true, [&, key = std::string(key)](std::size_t i) {
             return value(i, &RunSummary::evaluation, key);
           }});
    }
  }

  std::vector<std::vector<std::string>> cells(runs.size());
  std::vector<std::size_t> width;
  for (const auto& column : columns)
    width.push_back(std::max<std::size_t>(column.header.size(), 3));
  for (std::size_t i = 0; i < runs.size(); ++i) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      cells[i].push_back(columns[c].cell(i));
      width[c] = std::max(width[c], cells[i][c].size());
    }
  }
  const auto pad = [](const std::string& text, std::size_t size, bool right) {
    const std::string fill(size - std::min(size, text.size()), ' ');
    return right ? fill + text : text + fill;
  };
  std::ostringstream out;
  out << "|";
  for (std::size_t c = 0; c < columns.size(); ++c)
    out << " " << pad(columns[c].header, width[c], columns[c].numeric) << " |";
  out << "\n|";
  for (std::size_t c = 0; c < columns.size(); ++c) {
    out << (columns[c].numeric ? " " + std::string(width[c] - 1, '-') + ":"
                               : " " + std::string(width[c], '-'))
        << " |";
  }
  out << "\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    out << "|";
    for (std::size_t c = 0; c < columns.size(); ++c)
      out << " " << pad(cells[i][c], width[c], columns[c].numeric) << " |";
    out << "\n";
  }
  return out.str();
}

}  // namespace neuroscale::io
