// `neuroscale ingest`: converts recordings of a source format into a corpus file, in
// parallel over MPI ranks (sessions are spread round-robin; each rank reads its sessions'
// trials twice: once for the normalisation statistics of the training split, once to
// write). The corpus is built under a temporary name and renamed at the end; inputs are
// only read.
#pragma once

#include <mpi.h>

#include <functional>
#include <string>
#include <vector>

namespace neuroscale::io {

struct IngestOptions {
  std::string format;               ///< b2t25 | b2t24 | nwb
  std::vector<std::string> inputs;  ///< files or directories of that format
  std::string output;               ///< corpus file to write
  std::string normalization = "";   ///< none | per_day | per_block ("" = the format's default)
  std::string dtype = "float32";    ///< float32 | float16 storage
  std::string features = "tx1+spikePow";  ///< b2t24: variables joined by '+'
  std::string columns = "";       ///< b2t24: "A:B" selects columns [A, B) of each ("" = all)
  std::string task = "reaching";  ///< nwb: task of the sessions
  double window_s = 10.0;         ///< nwb without trials: window length (s)
  std::string lexicon;            ///< b2t24: pronunciation lexicon for phoneme labels
  bool overwrite = false;         ///< replace an existing output
};

// The normalisation a format's data needs by default (b2t25: none, already z-scored;
// b2t24: per_block, as its baseline does).
std::string default_normalization(const std::string& format);

// Collective over `comm`. `progress(done, total)` is called on rank 0 as sessions finish.
void ingest_corpus(const IngestOptions& options, MPI_Comm comm,
                   const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace neuroscale::io
