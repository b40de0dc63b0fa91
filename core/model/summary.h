// A model summary: parameter counts per top-level part and in total, as `neuroscale model
// summary` prints them. Counts are of elements (not bytes) of parameters that exist,
// trainable or not.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace torch::nn {
class Module;
}

namespace neuroscale::model {

struct SummaryRow {
  std::string name;         ///< a module path, e.g. "encoder.read_in.t15"
  std::int64_t parameters;  ///< elements in that module and its children
};

// Rows for each module down to `depth` levels of nesting (1 = direct children) and for
// parameters registered directly on an expanded module, in module order, then the total as
// the last row named "total".
std::vector<SummaryRow> summarize(const torch::nn::Module& module, int depth);

// A fixed-width table of `rows` with thousands separators.
std::string format_summary(const std::vector<SummaryRow>& rows);

}  // namespace neuroscale::model
