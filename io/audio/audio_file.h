// Stimulus audio: reading sound files (WAV, FLAC, ... through libsndfile), downmixed to
// mono float, and resampling them (libsoxr, high quality) to the rate a model expects.
// Stateless functions; safe to call from several threads.
#pragma once

#include <string>
#include <vector>

namespace neuroscale::io {

struct Audio {
  std::vector<float> samples;  ///< mono, in [-1, 1] for integer sources
  double sample_rate = 0;      ///< Hz
};

// Reads a whole sound file; several channels are averaged into one. Throws DataError
// naming the file and libsndfile's reason when it cannot be read or is empty.
Audio read_audio(const std::string& path);

// Writes mono samples as a 16-bit PCM WAV file (clipped to [-1, 1]). Throws DataError.
void write_wav(const std::string& path, const std::vector<float>& samples, int sample_rate);

// `samples` at `from_rate` resampled to `to_rate` (libsoxr, SOXR_HQ: linear phase, the
// passband kept to about 0.91 of the lower Nyquist frequency). The result has exactly
// round(samples.size() * to_rate / from_rate) samples. Equal rates return a copy.
std::vector<float> resample(const std::vector<float>& samples, double from_rate, double to_rate);

}  // namespace neuroscale::io
