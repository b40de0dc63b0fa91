#include "io/synth/synth_speech_options.h"

#include "core/check.h"

namespace neuroscale::io {

void describe(ConfigVisitor& v, SynthSpeechOptions& o) {
  v.value("seed", o.seed,
          Field("random seed; the file is a pure function of the config").at_least(0));
  v.value("hours", o.hours, Field("hours of speech to generate").range(1e-4, 10000));
  v.value("sample_rate", o.sample_rate,
          Field("sample rate of the stored audio (Hz)").range(8000, 48000));
  v.value("word_list", o.word_list,
          Field("word list, one word per line (apt-get install wamerican)").non_empty());
  v.value("min_word_letters", o.min_word_letters,
          Field("shortest word kept from the list (letters)").range(1, 30));
  v.value("max_word_letters", o.max_word_letters,
          Field("longest word kept from the list (letters)").range(1, 30));
  v.value("min_words", o.min_words, Field("fewest words per utterance").range(1, 100));
  v.value("max_words", o.max_words, Field("most words per utterance").range(1, 100));
  v.value("voices", o.voices,
          Field("espeak-ng voices[+variant], one drawn per utterance (espeak-ng --voices)")
              .non_empty());
  v.value("min_wpm", o.min_wpm, Field("slowest speaking rate (words per minute)").range(80, 450));
  v.value("max_wpm", o.max_wpm, Field("fastest speaking rate (words per minute)").range(80, 450));
  v.value("min_pitch", o.min_pitch, Field("lowest base pitch (espeak-ng 0-100)").range(0, 100));
  v.value("max_pitch", o.max_pitch, Field("highest base pitch (espeak-ng 0-100)").range(0, 100));
  v.value("min_pitch_range", o.min_pitch_range,
          Field("smallest pitch range (espeak-ng 0-100; 0 is monotone)").range(0, 100));
  v.value("max_pitch_range", o.max_pitch_range,
          Field("largest pitch range (espeak-ng 0-100)").range(0, 100));
  v.value("validation_fraction", o.validation_fraction,
          Field("probability that an utterance is in the validation split").range(0, 0.5));
  v.value("test_fraction", o.test_fraction,
          Field("probability that an utterance is in the test split").range(0, 0.5));
}

void validate(const SynthSpeechOptions& o, const std::string& source) {
  auto ordered = [&](const char* lo_key, double lo, const char* hi_key, double hi) {
    NS_CHECK_AS(ConfigError, lo <= hi, source, ": '", lo_key, "' (", lo, ") exceeds '", hi_key,
                "' (", hi, ")");
  };
  ordered("min_word_letters", o.min_word_letters, "max_word_letters", o.max_word_letters);
  ordered("min_words", o.min_words, "max_words", o.max_words);
  ordered("min_wpm", o.min_wpm, "max_wpm", o.max_wpm);
  ordered("min_pitch", o.min_pitch, "max_pitch", o.max_pitch);
  ordered("min_pitch_range", o.min_pitch_range, "max_pitch_range", o.max_pitch_range);
  NS_CHECK_AS(ConfigError, o.validation_fraction + o.test_fraction < 1, source,
              ": 'validation_fraction' + 'test_fraction' must leave utterances for training");
  for (const auto& voice : o.voices) {
    NS_CHECK_AS(ConfigError, !voice.empty() && voice.find_first_of(" \t\n") == std::string::npos,
                source, ": 'voices' entry '", voice, "' is not an espeak-ng voice name");
  }
}

}  // namespace neuroscale::io
