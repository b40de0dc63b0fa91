// The neuroscale fMRI corpus (docs/fmri-format.md): stories (16 kHz audio and the time of
// each response row) heard by participants whose BOLD responses live in one shared voxel
// space, so one projection head serves everyone. This header holds the index (what a file
// contains); fmri_reader.h opens and validates a file, fmri_writer.h builds one. The same
// split as io/corpus.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace neuroscale::io {

inline constexpr const char* kFmriFormatName = "neuroscale-fmri";
inline constexpr std::int64_t kFmriFormatVersion = 1;
inline constexpr const char* kFmriSplits[] = {"train", "val", "test"};
inline constexpr const char* kFmriRoles[] = {"train", "held_out"};

struct FmriStory {
  std::string name;
  std::string split = "train";   ///< train | val | test (a default; training configs may override)
  std::int64_t samples = 0;      ///< audio length at the file's sample rate
  std::vector<double> tr_times;  ///< seconds on the audio clock of each response row (mid-TR)

  std::int64_t rows() const { return static_cast<std::int64_t>(tr_times.size()); }
};

struct FmriParticipant {
  std::string name;
  std::string role = "train";               ///< train | held_out (never tuned on)
  std::vector<std::string> stories;         ///< stories with responses, in name order
  std::vector<std::string> repeat_stories;  ///< stories that also have repeats

  bool has_story(const std::string& story) const;
  bool has_repeats(const std::string& story) const;
};

struct FmriIndex {
  std::string path;
  double sample_rate = 16000;
  double tr_s = 2.0;
  std::int64_t voxels = 0;
  std::string source;
  std::vector<FmriStory> stories;             ///< in name order
  std::vector<FmriParticipant> participants;  ///< in name order

  // Throw DataError naming the file and listing the known names.
  const FmriStory& story(const std::string& name) const;
  const FmriParticipant& participant(const std::string& name) const;
  // Names of the stories whose split is `split`, in name order.
  std::vector<std::string> stories_in_split(const std::string& split) const;
  // Names of the participants whose role is `role`, in name order.
  std::vector<std::string> participants_with_role(const std::string& role) const;
};

// A few lines for people: voxels, TR, stories per split with their audio and rows, and
// each participant's role and story count.
std::string summarize(const FmriIndex& index);

}  // namespace neuroscale::io
