#include "io/fmri/fmri_checks.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/check.h"

namespace neuroscale::io::fmri_checks {

bool is_one_of(const std::string& value, const char* const* begin, const char* const* end) {
  return std::find_if(begin, end, [&](const char* v) { return value == v; }) != end;
}

std::string where(const std::string& file, const std::string& participant,
                  const std::string& story) {
  std::string text = "fMRI corpus '" + file + "'";
  std::string sep = ": ";
  if (!participant.empty()) text += sep + "participant '" + participant + "'", sep = ", ";
  if (!story.empty()) text += sep + "story '" + story + "'";
  return text + ": ";
}

void check_tr_times(const std::vector<double>& times, const std::string& context) {
  NS_CHECK_AS(DataError, !times.empty(), context,
              "dataset 'tr_times' is empty (expected one time per response row)");
  for (std::size_t i = 0; i < times.size(); ++i) {
    NS_CHECK_AS(DataError, std::isfinite(times[i]), context, "dataset 'tr_times' holds ", times[i],
                " at row ", i, " (expected finite seconds)");
    NS_CHECK_AS(DataError, i == 0 || times[i] > times[i - 1], context,
                "dataset 'tr_times' is not increasing at row ", i, " (", times[i - 1], " then ",
                times[i], " s)");
  }
}

void check_finite(const at::Tensor& values, const std::string& context,
                  const std::string& dataset) {
  const at::Tensor bad = at::logical_not(at::isfinite(values));
  if (!bad.any().item<bool>()) return;
  const at::Tensor first = bad.nonzero()[0];
  std::vector<std::int64_t> position(first.data_ptr<std::int64_t>(),
                                     first.data_ptr<std::int64_t>() + first.numel());
  std::ostringstream at_text;
  for (std::size_t i = 0; i < position.size(); ++i) at_text << (i ? ", " : "") << position[i];
  NS_THROW(DataError, context, "dataset '", dataset, "' holds ", bad.sum().item<std::int64_t>(),
           " non-finite value(s), the first at [", at_text.str(),
           "] (expected finite values; NaN must be replaced "
           "before writing)");
}

}  // namespace neuroscale::io::fmri_checks
