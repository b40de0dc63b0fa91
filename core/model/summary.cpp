#include "core/model/summary.h"

#include <torch/nn/module.h>

#include <algorithm>
#include <sstream>

namespace neuroscale::model {
namespace {

std::int64_t count(const torch::nn::Module& module) {
  std::int64_t total = 0;
  for (const auto& param : module.parameters(true)) total += param.numel();
  return total;
}

std::string with_separators(std::int64_t value) {
  std::string digits = std::to_string(value), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string join(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}

// A module's own parameters, then each child with its total, expanded while level < depth.
void add_rows(const torch::nn::Module& module, const std::string& prefix, int level, int depth,
              std::vector<SummaryRow>& rows) {
  if (level >= depth) return;
  for (const auto& param : module.named_parameters(false)) {
    rows.push_back({join(prefix, param.key()), param.value().numel()});
  }
  for (const auto& child : module.named_children()) {
    const auto name = join(prefix, child.key());
    rows.push_back({name, count(*child.value())});
    add_rows(*child.value(), name, level + 1, depth, rows);
  }
}

}  // namespace

std::vector<SummaryRow> summarize(const torch::nn::Module& module, int depth) {
  std::vector<SummaryRow> rows;
  add_rows(module, "", 0, depth, rows);
  rows.push_back({"total", count(module)});
  return rows;
}

std::string format_summary(const std::vector<SummaryRow>& rows) {
  std::size_t width = 10;
  for (const auto& row : rows) width = std::max(width, row.name.size());
  std::ostringstream out;
  out << std::string(width - 6, ' ') << "module"
      << "  "
      << "parameters\n";
  for (const auto& row : rows) {
    const auto number = with_separators(row.parameters);
    out << std::string(width - row.name.size(), ' ') << row.name << "  "
        << std::string(number.size() < 10 ? 10 - number.size() : 0, ' ') << number << '\n';
  }
  return out.str();
}

}  // namespace neuroscale::model
