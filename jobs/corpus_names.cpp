#include "jobs/corpus_names.h"

#include "core/check.h"

namespace neuroscale::jobs {

std::vector<std::string> select_names(const std::vector<std::string>& wanted, const std::vector<std::string>& fallback,
                                      const std::string& key, const std::function<void(const std::string&)>& lookup) {
  const auto& names = wanted.empty() ? fallback : wanted;
  for (const auto& name : names) {
    try {
      lookup(name);
    } catch (const DataError& e) {
      NS_THROW(ConfigError, key, ": ", e.what());
    }
  }
  return names;
}

}  // namespace neuroscale::jobs
