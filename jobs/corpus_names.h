// Names a config selects from a corpus (participants, stories, subjects): the listed ones,
// or a default list when none are listed, each checked against the corpus.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace neuroscale::jobs {

// `wanted`, or `fallback` when `wanted` is empty. `lookup` throws DataError for an unknown
// name (the corpus' message: file and known names), rethrown as ConfigError naming `key`.
std::vector<std::string> select_names(const std::vector<std::string>& wanted, const std::vector<std::string>& fallback,
                                      const std::string& key, const std::function<void(const std::string&)>& lookup);

}  // namespace neuroscale::jobs
