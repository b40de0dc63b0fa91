// Reads a corpus file: the whole index at open (bounded by trial count, not corpus size),
// then features of single trials on demand. Opened with a communicator, reads go through
// MPI-IO so each rank reads only its own trials from one shared open file. Every method
// holds the process-wide HDF5 lock (hdf5_mutex), so readers may be used from several
// threads at once (each loader's pipeline reads beside the training thread).
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "io/corpus/corpus_index.h"
#include "io/hdf5/h5_handle.h"

namespace neuroscale::io {

class CorpusReader {
 public:
  // comm == MPI_COMM_NULL opens for one process. Throws DataError naming the file when it is
  // missing, not a corpus, of an unknown format version, or inconsistent.
  CorpusReader(const std::string& path, MPI_Comm comm);

  const CorpusIndex& index() const { return index_; }
  const std::string& path() const { return path_; }

  // [trial_bins, n_channels] row-major float32 (float16 files are converted).
  std::vector<float> read_trial(std::size_t trial) const;
  std::vector<std::uint8_t> read_labels(std::size_t trial) const;
  std::string read_text(std::size_t trial) const;
  // Statistics of normalisation group `group` (see CorpusIndex::norm_groups).
  void read_norm_stats(std::size_t group, std::vector<float>& mean, std::vector<float>& std) const;

 private:
  std::string path_;
  H5Id file_;
  CorpusIndex index_;
  std::vector<H5Id> features_;
  H5Id labels_, text_, norm_mean_, norm_std_;
  H5Id half_type_;  // valid for float16 corpora
  std::vector<std::int64_t> norm_offset_;
};

}  // namespace neuroscale::io
