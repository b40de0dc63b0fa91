// Reading a speech corpus (docs/speech-format.md): SpeechReader opens a file, validates its
// index (every utterance's audio range, split and phoneme segments) and reads utterances'
// audio on demand. Threading: a reader may be used from several threads (every HDF5 call
// holds io::hdf5_mutex()). Serial HDF5 access (no MPI-IO).
#pragma once

#include <string>
#include <vector>

#include "io/hdf5/h5_handle.h"
#include "io/speech/speech_index.h"

namespace neuroscale::io {

class SpeechReader {
 public:
  // Opens `path` and validates it: format and version, sample rate, the utterance table's
  // columns (one length), each utterance's audio range within /audio, its split, and its
  // phonemes (known ids, in time order, contiguous, within the utterance). Throws DataError
  // naming the file, the utterance and what was expected.
  explicit SpeechReader(const std::string& path);

  const SpeechIndex& index() const { return index_; }

  // The samples of utterance `i` (index order), in [-1, 1).
  std::vector<float> audio(std::size_t i) const;

 private:
  SpeechIndex index_;
  H5Id file_, audio_;
};

}  // namespace neuroscale::io
