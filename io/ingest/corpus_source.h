// One source format of recordings, behind one interface. A source first scans its inputs
// into the corpus plan (subjects, sessions, trials with lengths, labels and sentences; no
// features), then reads the raw features of any planned trial. Scanning must be
// deterministic: every rank of an ingest scans the same inputs to the same plan.
// Implementations: b2t25 (Brain-to-Text '25 HDF5 tree), b2t24 (Brain-to-Text '24 MAT files),
// nwb (NWB units binned into 20 ms counts).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "io/corpus/corpus_writer.h"

namespace neuroscale::io {

class CorpusSource {
 public:
  virtual ~CorpusSource() = default;

  // Fills `content` (index without normalisation groups, labels, text). Throws DataError
  // naming the file (and trial) for unreadable or inconsistent inputs.
  virtual void scan(CorpusContent& content) = 0;
  // Raw features [trial_bins, n_channels] of planned trial `trial`.
  virtual std::vector<float> read_features(std::size_t trial) = 0;
  // "file 'x.hdf5', trial_0004": where trial `trial` comes from, for error messages.
  virtual std::string locate(std::size_t trial) const = 0;
};

// Format-specific choices (b2t24: which variables and columns become features).
struct SourceOptions {
  std::vector<std::string> features = {"tx1",
                                       "spikePow"};  ///< b2t24 variables, concatenated per bin
  int first_column = 0;                              ///< first column of each variable
  int end_column = -1;                               ///< one past the last column (-1: all)
  std::string task = "reaching";                     ///< nwb: the sessions' task
  double window_s = 10.0;  ///< nwb without a trials table: window length in seconds
  std::string lexicon;     ///< b2t24: pronunciation lexicon for phoneme labels ("": none)
};

// The source for `format` (b2t25, b2t24, nwb); throws UsageError naming the known formats.
std::unique_ptr<CorpusSource> make_source(const std::string& format,
                                          const std::vector<std::string>& inputs,
                                          const SourceOptions& options = {});
const std::vector<std::string>& source_formats();

}  // namespace neuroscale::io
