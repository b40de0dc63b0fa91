// Checks shared by the fMRI corpus reader and writer, with messages that name the file,
// participant, story and dataset. Internal to io/fmri.
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "core/text.h"

namespace neuroscale::io::fmri_checks {

// "a, b, c" of the items' names, or "none".
template <class Known>
std::string known_names(const Known& items) {
  std::vector<std::string> names;
  for (const auto& item : items) names.push_back(item.name);
  return names.empty() ? "none" : join(names, ", ");
}

// Whether `value` is one of the names in [begin, end).
bool is_one_of(const std::string& value, const char* const* begin, const char* const* end);

// Where a check failed: "fMRI corpus 'f.h5': participant 'P01', story 's': ".
std::string where(const std::string& file, const std::string& participant,
                  const std::string& story);

// Throws DataError (prefixed by `context`) unless `times` is non-empty, finite and increasing.
void check_tr_times(const std::vector<double>& times, const std::string& context);

// Throws DataError naming `dataset`, the count and the first position of non-finite values.
void check_finite(const at::Tensor& values, const std::string& context, const std::string& dataset);

}  // namespace neuroscale::io::fmri_checks
