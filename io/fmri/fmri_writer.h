// Writing an fMRI corpus (docs/fmri-format.md): FmriWriter builds a file under a temporary
// name and renames it on commit(), after validating it with FmriReader. A writer belongs to
// one thread. Serial HDF5 access (no MPI-IO).
#pragma once

#include <ATen/ATen.h>

#include <string>
#include <utility>
#include <vector>

#include "io/fmri/fmri_index.h"
#include "io/hdf5/h5_handle.h"

namespace neuroscale::io {

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
  void add_responses(const std::string& participant, const std::string& story,
                     const at::Tensor& responses, const at::Tensor& repeats = {},
                     const std::string& role = "train");
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
