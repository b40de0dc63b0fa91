// Reading an fMRI corpus (docs/fmri-format.md): FmriReader opens and validates a file.
// Threading: a reader may be used from several threads (every HDF5 call holds
// io::hdf5_mutex()). Serial HDF5 access (no MPI-IO).
#pragma once

#include <ATen/ATen.h>

#include <string>

#include "io/fmri/fmri_index.h"
#include "io/hdf5/h5_handle.h"

namespace neuroscale::io {

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
  // The hidden stimulus features a synthetic corpus keeps for `story`
  // (/ground_truth/stories/<story>/features): [rows of the story, features] float32, or an
  // undefined tensor when the corpus has none. Throws DataError naming the file and dataset
  // when the shape is wrong.
  at::Tensor ground_truth_features(const std::string& story) const;
  static std::string ground_truth_features_path(const std::string& story);

 private:
  FmriIndex index_;
  H5Id file_;
};

}  // namespace neuroscale::io
