// The synthetic speech corpus (docs/speech-format.md, "The synthetic corpus"): sentences of
// words drawn from a word list, each spoken by libespeak-ng in a voice, rate, pitch and
// pitch range drawn per utterance, with espeak-ng's own phoneme timing as the alignment.
// Serial (espeak-ng has one synthesiser per process); deterministic for a config when run
// from a fresh process (espeak_engine.h).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "io/synth/espeak_engine.h"
#include "io/synth/synth_speech_options.h"

namespace neuroscale::io {

// The words of `o.word_list` kept for sentences: lower-case a-z only, of
// [min_word_letters, max_word_letters] letters, in file order, without repeats. Throws
// ConfigError naming `source`, the key and the file when it cannot be read or keeps fewer
// than 50 words.
std::vector<std::string> read_word_list(const SynthSpeechOptions& o, const std::string& source);

// Everything a run needs before it writes: the options' cross-field rules, the word list and
// every voice (ConfigError naming `source` and the key). Returns the words (read_word_list).
std::vector<std::string> check_synth_speech(const SynthSpeechOptions& o, const std::string& source);

struct SynthUtterancePlan {
  std::string split;  ///< train | validation | test
  std::string text;   ///< words separated by spaces, ending with "."
  EspeakVoice voice;
};

// Utterance `i`'s split, text and voice: a pure function of (o.seed, i) and the words.
SynthUtterancePlan plan_synth_utterance(const SynthSpeechOptions& o,
                                        const std::vector<std::string>& words, std::int64_t i);

// Speaks utterances 0, 1, ... until `o.hours` of audio, and writes them to `path` through
// SpeechWriter (after check_synth_speech; nothing is written when it throws).
// `progress(seconds_done, seconds_total)` after each utterance.
void write_synth_speech(const SynthSpeechOptions& o, const std::string& path, bool overwrite,
                        const std::string& source,
                        const std::function<void(double, double)>& progress = {});

}  // namespace neuroscale::io
