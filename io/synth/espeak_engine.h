// Speech with its phoneme timing, from libespeak-ng in this process: the samples espeak-ng
// synthesises and, for every phoneme it speaks, its mnemonic (espeak-ng's ASCII phoneme
// names, as `espeak-ng -x` prints them without stress marks) and the sample where it starts
// (the library's phoneme events). The subprocess path (speech_synthesis.h) gives audio only.
//
// The library keeps one synthesiser per process (global state; espeak-ng 1.51 hangs when it
// is initialised again after espeak_Terminate), so every EspeakEngine shares it: the first
// one initialises it, none terminates it, and speak() calls are serialised across threads.
// espeak-ng's output depends slightly on what the process spoke before (durations of a few
// samples, the last vowel's length), so a sequence of speak() calls is reproducible when it
// is the same sequence from a fresh process, as `neuroscale synth --kind speech` runs it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/speech/speech_index.h"

namespace neuroscale::io {

struct EspeakVoice {
  std::string name = "en-us";  ///< a voice (espeak-ng --voices), optionally "+variant"
  int words_per_minute = 175;  ///< espeakRATE, 80-450
  int pitch = 50;              ///< espeakPITCH, 0-100 (the base pitch)
  int pitch_range = 50;        ///< espeakRANGE, 0-100 (0: monotone)
};

struct SpokenText {
  std::vector<float> samples;            ///< mono, in [-1, 1]
  double sample_rate = 0;                ///< Hz
  std::vector<PhonemeSegment> phonemes;  ///< in order, contiguous, the last ending with the audio
};

class EspeakEngine {
 public:
  // Initialises the process's synthesiser on first use. Throws Error when libespeak-ng
  // cannot find its data (espeak-ng-data; scripts/setup installs it).
  EspeakEngine();

  // Speaks `text` (UTF-8) with `voice`, resampled to `sample_rate` (libsoxr) when it
  // differs from the library's own rate (native_rate()). Throws ConfigError naming the
  // voice when espeak-ng has none of that name, file name or language (as the executable's
  // -v: "en-gb" is gmw/en's language; an unknown variant is ignored: check_voice refuses
  // it), Error when synthesis fails.
  SpokenText speak(const std::string& text, const EspeakVoice& voice, double sample_rate) const;

  // The library's output rate (22050 Hz for espeak-ng's own voices).
  double native_rate() const { return native_rate_; }

  // Throws ConfigError, its message starting with `context`, unless `name` is a voice
  // espeak-ng has, with a variant it has after '+' (espeak-ng ignores unknown variants).
  void check_voice(const std::string& name, const std::string& context = "") const;

 private:
  double native_rate_ = 0;
};

}  // namespace neuroscale::io
