// Frame labels of a speech corpus (docs/speech-format.md, "Frame labels"): for every
// utterance, one cluster id per encoder frame (frame t covers samples [t hop, t hop + window)),
// with the centroids they came from and what features were clustered. HuBERT's masked
// prediction learns to predict them (`neuroscale speech labels` writes them, `speech
// pretrain` reads them). Serial HDF5 access.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/speech/speech_index.h"

namespace neuroscale::io {

inline constexpr const char* kSpeechLabelsFormatName = "neuroscale-speech-labels";
inline constexpr std::int64_t kSpeechLabelsFormatVersion = 1;

struct SpeechLabels {
  std::string path;
  std::string corpus;            ///< the speech corpus the labels belong to, as given when written
  std::string features;          ///< what was clustered, e.g. "mfcc (13 + 2 orders of deltas)"
  std::int64_t window = 400;     ///< samples per frame
  std::int64_t hop = 320;        ///< samples between frames
  std::int64_t clusters = 0;     ///< k; labels lie in [0, k)
  std::int64_t dim = 0;          ///< values per centroid
  double inertia = 0;            ///< k-means' mean squared distance on its fitting frames
  std::vector<float> centroids;  ///< [clusters * dim], row-major
  std::vector<std::int64_t> offset;  ///< per utterance: its first label in `labels`
  std::vector<std::int64_t> frames;  ///< per utterance: its number of frames
  std::vector<std::int16_t> labels;  ///< every utterance's labels, one after the other

  // Frames of an utterance of `samples` samples: (samples - window) / hop + 1, or 0.
  std::int64_t frames_of(std::int64_t samples) const;
};

// Writes `labels` to `path` through a temporary file, validated by reading it back, then
// renamed into place. `provenance`: how they were made (YAML). Throws DataError when `path`
// exists and `overwrite` is false, or the labels are inconsistent (a label outside [0, k),
// offsets and frames that do not tile `labels`, centroids of another size).
void write_speech_labels(const std::string& path, const SpeechLabels& labels, bool overwrite,
                         const std::string& provenance = "");

// Reads and validates a labels file (format, version, the columns' lengths, offsets and
// frames that tile /labels, every label within [0, clusters), the centroids' shape). Throws
// DataError naming the file, the utterance and what was expected.
SpeechLabels read_speech_labels(const std::string& path);

// Throws DataError unless `labels` belong to `corpus`: one entry per utterance and, for each,
// the frames its samples give (naming both files and the first utterance that differs).
void check_labels_match(const SpeechLabels& labels, const SpeechIndex& corpus);

}  // namespace neuroscale::io
