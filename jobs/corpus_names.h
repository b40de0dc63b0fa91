// Names a config selects from a corpus (participants, stories, subjects): the listed ones,
// or a default list when none are listed, each checked against the corpus.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "io/fmri/fmri_index.h"

namespace neuroscale::jobs {

// `wanted`, or `fallback` when `wanted` is empty. `lookup` throws DataError for an unknown
// name (the corpus' message: file and known names), rethrown as ConfigError naming `key`.
std::vector<std::string> select_names(const std::vector<std::string>& wanted,
                                      const std::vector<std::string>& fallback,
                                      const std::string& key,
                                      const std::function<void(const std::string&)>& lookup);

// The stories of `split` an fMRI config selects under `key` ("data.train_stories"): `wanted`,
// else every story of the split, each checked against the corpus; the first `max` of them
// when `max` > 0.
std::vector<std::string> select_stories(const io::FmriIndex& index,
                                        const std::vector<std::string>& wanted,
                                        const std::string& split, const std::string& key,
                                        std::int64_t max = 0);

}  // namespace neuroscale::jobs
