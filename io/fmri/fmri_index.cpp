#include "io/fmri/fmri_index.h"

#include <algorithm>
#include <sstream>

#include "core/check.h"
#include "io/fmri/fmri_checks.h"

namespace neuroscale::io {

using fmri_checks::known_names;

bool FmriParticipant::has_story(const std::string& story) const {
  return std::find(stories.begin(), stories.end(), story) != stories.end();
}

bool FmriParticipant::has_repeats(const std::string& story) const {
  return std::find(repeat_stories.begin(), repeat_stories.end(), story) != repeat_stories.end();
}

const FmriStory& FmriIndex::story(const std::string& name) const {
  for (const auto& s : stories) {
    if (s.name == name) return s;
  }
  NS_THROW(DataError, "fMRI corpus '", path, "' has no story '", name,
           "' (stories: ", known_names(stories), ")");
}

const FmriParticipant& FmriIndex::participant(const std::string& name) const {
  for (const auto& p : participants) {
    if (p.name == name) return p;
  }
  NS_THROW(DataError, "fMRI corpus '", path, "' has no participant '", name,
           "' (participants: ", known_names(participants), ")");
}

std::vector<std::string> FmriIndex::stories_in_split(const std::string& split) const {
  std::vector<std::string> names;
  for (const auto& s : stories) {
    if (s.split == split) names.push_back(s.name);
  }
  return names;
}

std::vector<std::string> FmriIndex::participants_with_role(const std::string& role) const {
  std::vector<std::string> names;
  for (const auto& p : participants) {
    if (p.role == role) names.push_back(p.name);
  }
  return names;
}

std::string summarize(const FmriIndex& index) {
  std::ostringstream out;
  double seconds = 0;
  std::int64_t rows = 0;
  for (const auto& s : index.stories) {
    seconds += static_cast<double>(s.samples) / index.sample_rate;
    rows += s.rows();
  }
  out << "fMRI corpus '" << index.path << "': " << index.voxels << " voxels, TR " << index.tr_s
      << " s, audio at " << index.sample_rate << " Hz\n";
  out << "  source: " << index.source << "\n";
  out << "  stories: " << index.stories.size() << " (train "
      << index.stories_in_split("train").size() << ", val " << index.stories_in_split("val").size()
      << ", test " << index.stories_in_split("test").size() << "), " << format_duration(seconds)
      << " of audio, " << rows << " response rows\n";
  for (const char* split : {"val", "test"}) {
    const auto names = index.stories_in_split(split);
    if (!names.empty()) out << "  " << split << ": " << join(names, ", ") << "\n";
  }
  out << "  participants:";
  for (const auto& p : index.participants) {
    out << " " << p.name << " (" << p.role << ", " << p.stories.size() << " stories"
        << (p.repeat_stories.empty() ? "" : ", repeats") << ")";
  }
  out << "\n";
  return out.str();
}

}  // namespace neuroscale::io
