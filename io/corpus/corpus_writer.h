// Writes a corpus file in parallel. Construction and commit() are collective over `comm`;
// in between, every rank writes the features of the trials it owns (independent MPI-IO
// writes into preallocated datasets). The file is built under a temporary name next to the
// target and renamed only by commit(): a failed or interrupted write leaves any earlier file
// at `path` untouched, and the destructor removes the temporary file.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "io/corpus/corpus_index.h"
#include "io/hdf5/h5_handle.h"

namespace neuroscale::io {

struct CorpusContent {
  CorpusIndex index;
  std::vector<std::uint8_t> phonemes;  // all trials' labels, at index.label_offset
  std::string text;                    // all trials' sentences, at index.text_offset
  std::string provenance;              // resolved config of the producing job (YAML), optional
};

class CorpusWriter {
 public:
  // Collective. Creates all datasets; rank 0 writes the index, labels and text.
  // Throws DataError if `path` exists and `overwrite` is false.
  CorpusWriter(const std::string& path, MPI_Comm comm, const CorpusContent& content,
               bool overwrite);
  ~CorpusWriter();
  CorpusWriter(const CorpusWriter&) = delete;
  CorpusWriter& operator=(const CorpusWriter&) = delete;

  // Independent. `features` is [trial_bins, n_channels] row-major float32.
  void write_trial(std::size_t trial, const std::vector<float>& features);
  // Independent. Statistics of normalisation group `group` (one value per channel).
  void write_norm_stats(std::size_t group, const std::vector<float>& mean,
                        const std::vector<float>& std);

  // Collective: closes the file, renames it into place on rank 0, and waits for that.
  void commit();

  const std::string& temporary_path() const { return temp_path_; }

 private:
  std::string path_, temp_path_;
  MPI_Comm comm_;
  int rank_ = 0;
  const CorpusIndex& index_;
  H5Id file_, half_type_;
  std::vector<H5Id> features_;  // one dataset per subject
  H5Id norm_mean_, norm_std_;
  std::vector<std::int64_t> norm_offset_;
  bool committed_ = false;
};

}  // namespace neuroscale::io
