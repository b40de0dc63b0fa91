#include "jobs/corpus_names.h"

#include "core/check.h"

namespace neuroscale::jobs {

std::vector<std::string> select_names(const std::vector<std::string>& wanted,
                                      const std::vector<std::string>& fallback,
                                      const std::string& key,
                                      const std::function<void(const std::string&)>& lookup) {
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

std::vector<std::string> select_stories(const io::FmriIndex& index,
                                        const std::vector<std::string>& wanted,
                                        const std::string& split, const std::string& key,
                                        std::int64_t max) {
  auto stories = select_names(wanted, index.stories_in_split(split), key,
                              [&](const std::string& name) { index.story(name); });
  if (max > 0 && static_cast<std::int64_t>(stories.size()) > max)
    stories.resize(static_cast<std::size_t>(max));
  return stories;
}

}  // namespace neuroscale::jobs
