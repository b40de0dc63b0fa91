// Writing a speech corpus (docs/speech-format.md): SpeechWriter builds a file under a
// temporary name, appending each utterance's audio as it comes (so hours of speech never sit
// in memory), and renames it on commit() after validating it with SpeechReader. A writer
// belongs to one thread. Serial HDF5 access (no MPI-IO).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "io/hdf5/h5_handle.h"
#include "io/speech/speech_index.h"

namespace neuroscale::io {

class SpeechWriter {
 public:
  // Creates the temporary file next to `path`; `source` says where the speech comes from,
  // `provenance` (optional) how it was made (a generator's resolved config, YAML). Throws
  // DataError when `path` exists and `overwrite` is false, or sample_rate <= 0.
  SpeechWriter(const std::string& path, double sample_rate, const std::string& source,
               bool overwrite, const std::string& provenance = "");
  ~SpeechWriter();  // not committed: removes the temporary file; `path` is untouched
  SpeechWriter(const SpeechWriter&) = delete;
  SpeechWriter& operator=(const SpeechWriter&) = delete;

  // Appends one utterance: `utterance` gives split, text and speaker (its offset, samples
  // and phonemes are set here); `samples` mono in [-1, 1] (stored as 16-bit PCM, clipped);
  // `phonemes` in time order, contiguous, within the audio. Throws DataError naming the
  // utterance when the split is unknown, the audio empty or a phoneme out of place.
  void add(SpeechUtterance utterance, const std::vector<float>& samples,
           const std::vector<PhonemeSegment>& phonemes);

  // Writes the index, closes the file, validates it with SpeechReader and renames it to
  // `path` (a file that fails validation is never renamed into place).
  void commit();

  std::size_t utterances() const { return utterances_.size(); }
  const std::string& temporary_path() const { return temp_path_; }

 private:
  std::string path_, temp_path_;
  double sample_rate_;
  std::int64_t total_samples_ = 0;
  std::vector<SpeechUtterance> utterances_;  // phoneme ids index names_ in first-seen order
  std::vector<std::string> names_;
  std::map<std::string, std::int64_t> ids_;
  H5Id file_, audio_;
  bool committed_ = false;
};

}  // namespace neuroscale::io
