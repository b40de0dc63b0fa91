// The neuroscale speech corpus (docs/speech-format.md): utterances of 16-bit mono audio,
// each with its text, its speaker settings and the timing of every phoneme in it; the
// material a speech backbone is pretrained on and a phoneme probe is scored with. This
// header holds the index (what a file contains); speech_reader.h opens and validates a file,
// speech_writer.h builds one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace neuroscale::io {

inline constexpr const char* kSpeechFormatName = "neuroscale-speech";
inline constexpr std::int64_t kSpeechFormatVersion = 1;
inline constexpr const char* kSpeechSplits[] = {"train", "validation", "test"};

struct SpeechPhoneme {
  std::int64_t id = 0;     ///< index into SpeechIndex::inventory
  std::int64_t start = 0;  ///< first sample, relative to the utterance's first
  std::int64_t end = 0;    ///< one past the last sample (start <= end <= utterance samples)
  bool word_start = false;
};

// A phoneme by name, as a synthesiser or an aligner reports it (before the file numbers it).
struct PhonemeSegment {
  std::string phoneme;
  std::int64_t start = 0;  ///< first sample
  std::int64_t end = 0;    ///< one past the last sample
  bool word_start = false;
};

struct SpeechUtterance {
  std::string split = "train";  ///< train | validation | test
  std::string text;
  std::string voice;  ///< espeak-ng voice[+variant], or the speaker of a recorded corpus
  std::int64_t words_per_minute = 0;
  std::int64_t pitch = 0;
  std::int64_t pitch_range = 0;
  std::int64_t offset = 0;  ///< first sample in /audio
  std::int64_t samples = 0;
  std::vector<SpeechPhoneme> phonemes;  ///< in time order, contiguous
};

struct SpeechIndex {
  std::string path;
  double sample_rate = 16000;
  std::string source;
  std::vector<std::string> inventory;  ///< phoneme names (espeak-ng mnemonics), sorted
  std::vector<SpeechUtterance> utterances;

  // Indices of the utterances of `split`, in file order.
  std::vector<std::size_t> in_split(const std::string& split) const;
  // Hours of audio in `split` ("" for all).
  double hours(const std::string& split = "") const;
};

// The phoneme (inventory id) at the centre sample of each of `frames` frames of `utterance`
// (frame t: samples [t hop, t hop + window)), or -1 where no phoneme segment holds it (before
// the first one). Empty segments hold no sample.
std::vector<std::int64_t> frame_phonemes(const SpeechUtterance& utterance, std::int64_t window,
                                         std::int64_t hop, std::int64_t frames);

// A few lines for people: hours and utterances per split, voices, phoneme inventory.
std::string summarize(const SpeechIndex& index);

}  // namespace neuroscale::io
