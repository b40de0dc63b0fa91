#include "io/ingest/source_files.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "core/check.h"

namespace neuroscale::io {

std::vector<std::string> list_directory(const std::string& path) {
  std::vector<std::string> names;
  DIR* dir = ::opendir(path.c_str());
  NS_CHECK_AS(DataError, dir != nullptr, "cannot list directory '", path, "'");
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

std::string basename_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string parent_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return basename_of(slash == std::string::npos ? "." : path.substr(0, slash));
}

std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

std::string iso_date(int year, int month, int day) {
  char text[32];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02d", year, month, day);
  return text;
}

void assign_session_days(CorpusIndex& index, const std::vector<std::int64_t>& epoch_days) {
  NS_ASSERT(epoch_days.size() == index.sessions.size(), "one day per session expected");
  std::map<std::int32_t, std::int64_t> first;
  for (std::size_t s = 0; s < index.sessions.size(); ++s) {
    const auto subject = index.sessions[s].subject;
    first[subject] = first.count(subject) ? std::min(first[subject], epoch_days[s]) : epoch_days[s];
  }
  for (std::size_t s = 0; s < index.sessions.size(); ++s) {
    index.sessions[s].day =
        static_cast<std::int32_t>(epoch_days[s] - first[index.sessions[s].subject]);
  }
}

}  // namespace neuroscale::io
