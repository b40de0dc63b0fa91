// Options of the synthetic speech corpus (`neuroscale synth --kind speech`): how many hours
// of espeak-ng speech, from which words, in which voices, rates and pitches.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/config/config_visitor.h"

namespace neuroscale::io {

struct SynthSpeechOptions {
  std::int64_t seed = 1234;    ///< every utterance follows from this seed
  double hours = 0.05;         ///< audio to generate (utterances are added until it is reached)
  double sample_rate = 16000;  ///< Hz of the stored audio (wav2vec2 and HuBERT take 16 kHz)
  std::string word_list = "/usr/share/dict/words";  ///< one word per line (Debian's wamerican)
  int min_word_letters = 3;   ///< words kept from the list: lower-case a-z only, of
  int max_word_letters = 10;  ///< [min, max] letters (drops names, possessives, acronyms)
  int min_words = 4;          ///< words per utterance, uniform in [min, max]
  int max_words = 12;
  std::vector<std::string> voices = {"en-us",      "en-us+f2", "en-us+f3", "en-us+f4", "en-us+m2",
                                     "en-us+m3",   "en-us+m7", "en",       "en+f3",    "en+m4",
                                     "en-gb-x-rp", "en-029+f2"};  ///< espeak-ng
                                                                  ///< voices[+variant] by file name
                                                                  ///< ("en": British), one per
                                                                  ///< utterance
  int min_wpm = 130;  ///< speaking rate (words per minute), uniform in [min, max]
  int max_wpm = 210;
  int min_pitch = 25;  ///< base pitch (espeak-ng 0-100), uniform in [min, max]
  int max_pitch = 75;
  int min_pitch_range = 20;  ///< pitch range (espeak-ng 0-100: 0 is monotone), uniform
  int max_pitch_range = 80;
  double validation_fraction = 0.05;  ///< each utterance's split is drawn: validation with
  double test_fraction = 0.05;        ///< this probability, test with this, else train
};

void describe(ConfigVisitor& v, SynthSpeechOptions& o);

// Cross-field checks (ranges between keys); throws ConfigError naming `source` and the key.
void validate(const SynthSpeechOptions& o, const std::string& source);

}  // namespace neuroscale::io
