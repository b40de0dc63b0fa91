// Helpers every ingest source shares: files and directories, names, and calendar days.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/corpus/corpus_index.h"
#include "io/fs/files.h"

namespace neuroscale::io {

// Entry names of a directory, sorted; throws DataError naming it when it cannot be listed.
std::vector<std::string> list_directory(const std::string& path);
// "a/b/c.mat" -> "c.mat"; parent_name("a/b/c.mat") -> "b".
std::string basename_of(const std::string& path);
std::string parent_name(const std::string& path);

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(int year, int month, int day);
// "2023-08-11"
std::string iso_date(int year, int month, int day);
// Sets every session's `day` to days since its subject's first session; `epoch_days[s]` is
// session s's days_from_civil.
void assign_session_days(CorpusIndex& index, const std::vector<std::int64_t>& epoch_days);

}  // namespace neuroscale::io
