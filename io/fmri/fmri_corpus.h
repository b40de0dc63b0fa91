// The neuroscale fMRI corpus (docs/fmri-format.md): stories (16 kHz audio and the time of
// each response row) heard by participants whose BOLD responses live in one shared voxel
// space, so one projection head serves everyone. FmriReader opens and validates a file;
// FmriWriter builds one under a temporary name and renames it on commit().
// Threading: a reader may be used from several threads (every HDF5 call holds
// io::hdf5_mutex()); a writer belongs to one thread. Serial HDF5 access (no MPI-IO).
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

#include "io/hdf5/h5_handle.h"

namespace neuroscale::io {

inline constexpr const char* kFmriFormatName = "neuroscale-fmri";
inline constexpr std::int64_t kFmriFormatVersion = 1;
inline constexpr const char* kFmriSplits[] = {"train", "val", "test"};
inline constexpr const char* kFmriRoles[] = {"train", "held_out"};

struct FmriStory {
  std::string name;
  std::string split = "train";     ///< train | val | test (a default; training configs may override)
  std::int64_t samples = 0;        ///< audio length at the file's sample rate
  std::vector<double> tr_times;    ///< seconds on the audio clock of each response row (mid-TR)

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

class FmriReader {
 public:
  // Opens `path` and validates its structure: format and version, root attributes, every
  // story's audio and tr_times (finite, increasing), every response's shape (rows ==
  // len(tr_times), V == voxels) and every repeat's shape. Values of the large datasets are
  // checked when they are read. Throws DataError naming the file, participant, story and
  // dataset.
  explicit FmriReader(const std::string& path);

  const FmriIndex& index() const { return index_; }

  // [samples] float32.
  at::Tensor audio(const std::string& story) const;
  // [rows, V] float32; throws DataError when the participant did not hear the story or a
  // value is not finite.
  at::Tensor responses(const std::string& participant, const std::string& story) const;
  // [R, rows, V] float32, or an undefined tensor when the story has no repeats.
  at::Tensor repeats(const std::string& participant, const std::string& story) const;
  bool has_responses(const std::string& participant, const std::string& story) const;

  // Optional datasets beside the corpus (the synthetic generator's /ground_truth): any
  // float dataset at the absolute `path`, as float32.
  bool has_dataset(const std::string& path) const;
  at::Tensor dataset(const std::string& path) const;

 private:
  FmriIndex index_;
  H5Id file_;
};

class FmriWriter {
 public:
  // Creates the temporary file next to `path`. Throws DataError when `path` exists and
  // `overwrite` is false, and for an invalid header (sample_rate, tr_s, voxels > 0).
  FmriWriter(const std::string& path, double sample_rate, double tr_s, std::int64_t voxels,
             const std::string& source, bool overwrite);
  ~FmriWriter();  // not committed: removes the temporary file; `path` is untouched
  FmriWriter(const FmriWriter&) = delete;
  FmriWriter& operator=(const FmriWriter&) = delete;

  // `audio` is [story.samples] float32; story.tr_times must be finite and increasing.
  void add_story(const FmriStory& story, const at::Tensor& audio);
  // `responses` [rows, V] of a story added before; `repeats` [R, rows, V] or undefined.
  // Values must be finite. A participant is created by its first call (with `role`).
  void add_responses(const std::string& participant, const std::string& story, const at::Tensor& responses,
                     const at::Tensor& repeats = {}, const std::string& role = "train");
  // Any float32 tensor at an absolute path outside /stories and /participants (groups are
  // created as needed), e.g. "/ground_truth/shared_weights".
  void add_dataset(const std::string& path, const at::Tensor& values);
  // Attribute of the group at `path` (created as needed).
  void add_attribute(const std::string& path, const std::string& name, const std::string& value);
  void add_attribute(const std::string& path, const std::string& name, double value);

  // Closes the file, renames it to `path`, and validates it by opening it with FmriReader
  // first (a file that fails validation is never renamed into place).
  void commit();

  const std::string& temporary_path() const { return temp_path_; }

 private:
  hid_t group_at(const std::string& path);

  std::string path_, temp_path_;
  std::int64_t voxels_;
  std::vector<FmriStory> stories_;
  std::vector<std::pair<std::string, H5Id>> groups_;  // open groups by path
  H5Id file_;
  bool committed_ = false;
};

}  // namespace neuroscale::io
