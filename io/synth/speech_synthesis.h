// Speech for synthetic stimuli: text spoken by the espeak-ng executable (a subprocess; its
// output is deterministic for identical input, voice and rate), read back with libsndfile
// and resampled to the requested rate with libsoxr. Safe to call from several threads
// (each call has its own temporary directory).
#pragma once

#include <string>
#include <vector>

namespace neuroscale::io {

struct SpeechOptions {
  std::string espeak = "espeak-ng";  ///< executable, searched on PATH
  std::string voice = "en-us";       ///< espeak-ng -v
  int words_per_minute = 160;        ///< espeak-ng -s
  double sample_rate = 16000;        ///< rate of the returned samples
};

// Mono samples of `text` spoken. Throws Error naming the command when espeak-ng is missing
// (install it with scripts/setup) or exits with a failure, with its own error output.
std::vector<float> speak(const std::string& text, const SpeechOptions& options);

}  // namespace neuroscale::io
