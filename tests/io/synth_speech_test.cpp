// The speech corpus: libespeak-ng's phoneme timing (checked against espeak-ng's own
// translator and against the audio's energy), the generator's plan, and the file format's
// writer and reader with their refusals.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

#include "core/error.h"
#include "io/hdf5/h5_file.h"
#include "io/speech/speech_reader.h"
#include "io/speech/speech_writer.h"
#include "io/synth/espeak_engine.h"
#include "io/synth/synth_speech.h"

namespace neuroscale::io {
namespace {

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "neuroscale_speech_" + std::to_string(::getpid()) + "_" + name;
}

// `espeak-ng -q -x --sep=_` for the voice: the translator's phonemes, stress marks removed.
std::vector<std::string> translator_phonemes(const std::string& text, const std::string& voice) {
  const std::string command = "espeak-ng -q -x --sep=_ -v " + voice + " \"" + text + "\"";
  FILE* pipe = ::popen(command.c_str(), "r");
  EXPECT_NE(pipe, nullptr) << command;
  std::string output;
  char buffer[256];
  while (pipe && std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  if (pipe) {
    EXPECT_EQ(::pclose(pipe), 0) << command;
  }
  std::vector<std::string> phonemes;
  std::string current;
  auto flush = [&] {
    if (!current.empty()) phonemes.push_back(current);
    current.clear();
  };
  for (char c : output) {
    if (c == '_' || c == ' ' || c == '\n') {
      flush();
    } else if (c != '\'' && c != ',' && c != '%' && c != '=') {
      current += c;
    }
  }
  flush();
  return phonemes;
}

double rms(const std::vector<float>& x, std::int64_t start, std::int64_t end) {
  double sum = 0;
  for (std::int64_t i = start; i < end; ++i) sum += double(x[i]) * x[i];
  return end > start ? std::sqrt(sum / double(end - start)) : 0;
}

TEST(EspeakEngine, PhonemeEventsAreTheTranslatorsPhonemes) {
  EspeakEngine engine;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"the quick brown fox jumps over the lazy dog.", "en-us"},
      {"seven wizards quietly examine unusual objects.", "en"},
      {"crossbars famed blinks geometer rosebud elucidated.", "en-us+m3"},
      {"busying geezer boyfriends drip desisting dextrous.", "en-gb-x-rp"}};
  for (const auto& [text, voice] : cases) {
    const SpokenText spoken = engine.speak(text, {voice, 170, 50, 50}, 16000);
    std::vector<std::string> events;
    for (const auto& p : spoken.phonemes) {
      if (p.phoneme[0] != '_') events.push_back(p.phoneme);  // pauses are not in -x output
    }
    EXPECT_EQ(events, translator_phonemes(text, voice)) << voice << ": " << text;
  }
}

// Mean RMS of the vowels over that of the voiceless obstruents.
double vowel_contrast(const SpokenText& spoken) {
  const std::set<std::string> vowels = {
      "a", "aI", "aU", "e@", "eI", "i:", "oU", "u:", "O:", "A:", "3:", "E", "I", "V", "0"};
  const std::set<std::string> voiceless = {"p", "t", "k", "f", "T", "s", "S", "h"};
  double vowel = 0, obstruent = 0;
  int n_vowel = 0, n_obstruent = 0;
  for (const auto& p : spoken.phonemes) {
    if (p.end - p.start < 160) continue;  // 10 ms: too short to measure
    if (vowels.count(p.phoneme)) {
      vowel += rms(spoken.samples, p.start, p.end);
      ++n_vowel;
    } else if (voiceless.count(p.phoneme)) {
      obstruent += rms(spoken.samples, p.start, p.end);
      ++n_obstruent;
    }
  }
  EXPECT_GT(n_vowel, 8);
  EXPECT_GT(n_obstruent, 8);
  return (vowel / std::max(n_vowel, 1)) / (obstruent / std::max(n_obstruent, 1) + 1e-9);
}

// The first sample from `from` on where the 5 ms after it are louder than `level` (RMS),
// searched in steps of 1 ms.
std::int64_t sound_onset(const std::vector<float>& x, std::int64_t from, double rate,
                         double level) {
  const auto window = static_cast<std::int64_t>(0.005 * rate),
             step = static_cast<std::int64_t>(0.001 * rate);
  for (std::int64_t i = from; i + window <= static_cast<std::int64_t>(x.size()); i += step) {
    if (rms(x, i, i + window) > level) return i;
  }
  return static_cast<std::int64_t>(x.size());
}

TEST(EspeakEngine, SegmentsTileTheAudioAndFollowItsEnergy) {
  EspeakEngine engine;
  const double rate = 16000;
  for (const std::string voice : {"en-us", "en+f3"}) {
    // Commas make pauses, each followed by a phoneme that starts loud (r, b, a vowel).
    const std::string text =
        "five bright kites, rode high over the wide blue sea, but all agree, as it is fast.";
    const SpokenText spoken = engine.speak(text, {voice, 150, 50, 50}, rate);
    EXPECT_EQ(spoken.sample_rate, rate);
    ASSERT_FALSE(spoken.phonemes.empty());
    const auto& samples = spoken.samples;
    const auto n = static_cast<std::int64_t>(samples.size());
    EXPECT_EQ(spoken.phonemes.back().end, n);
    int word_starts = 0;
    for (std::size_t i = 0; i + 1 < spoken.phonemes.size(); ++i) {
      EXPECT_EQ(spoken.phonemes[i].end, spoken.phonemes[i + 1].start);
    }
    // espeak-ng's word events: the phoneme after one starts a word, never a pause; short
    // function words may share one ("as it is" is one group), so there are at most 17.
    EXPECT_TRUE(spoken.phonemes.front().word_start);
    for (const auto& p : spoken.phonemes) {
      word_starts += p.word_start;
      EXPECT_FALSE(p.word_start && p.phoneme[0] == '_') << voice << ": a pause starts a word";
    }
    EXPECT_GE(word_starts, 14) << voice;
    EXPECT_LE(word_starts, 17) << voice;
    // Vowels are louder than voiceless stops and fricatives where the events put them.
    EXPECT_GT(vowel_contrast(spoken), 3.0) << voice;
    // The pauses are near-silent (a variant's echo leaves a trace), and the sound after each
    // starts where the next phoneme's event says, within 10 ms: the timing is the audio's,
    // not merely the phonemes' order.
    const double level = rms(samples, 0, n);
    int pauses = 0;
    for (std::size_t i = 0; i + 1 < spoken.phonemes.size(); ++i) {
      const auto& p = spoken.phonemes[i];
      if (p.phoneme[0] != '_' || p.end - p.start < 0.05 * rate) continue;
      ++pauses;
      EXPECT_LT(rms(samples, p.start, p.end), 0.05 * level) << voice << ": pause at " << p.start;
      std::size_t next = i + 1;  // the phoneme after the pause (espeak-ng may add a short '_')
      while (next + 1 < spoken.phonemes.size() && spoken.phonemes[next].phoneme[0] == '_') ++next;
      const std::int64_t onset = sound_onset(samples, p.start, rate, 0.2 * level);
      EXPECT_LE(std::abs(onset - spoken.phonemes[next].start), 0.01 * rate)
          << voice << ": '" << spoken.phonemes[next].phoneme << "' starts at sample "
          << spoken.phonemes[next].start << ", the sound at " << onset;
    }
    EXPECT_EQ(pauses, 3) << voice;
  }
}

TEST(EspeakEngine, RefusesUnknownVoicesAndVariants) {
  EspeakEngine engine;
  EXPECT_NO_THROW(engine.check_voice("en-us+f3"));
  // By language, as `espeak-ng -v en-gb` (the voice file is gmw/en, its name English_(...)).
  EXPECT_NO_THROW(engine.check_voice("en-gb+m3"));
  EXPECT_FALSE(engine.speak("hello.", {"en-gb", 170, 50, 50}, 16000).samples.empty());
  try {
    engine.check_voice("en-us+nosuchvariant", "cfg.yaml: 'voices': ");
    FAIL() << "an unknown variant was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("cfg.yaml: 'voices': "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nosuchvariant"), std::string::npos) << e.what();
  }
  EXPECT_THROW(engine.check_voice("xx-nosuchvoice"), ConfigError);
  EXPECT_THROW(engine.speak("hello.", {"xx-nosuchvoice", 170, 50, 50}, 16000), ConfigError);
}

class WordList : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = temp_path("words.txt");
    std::ofstream out(path_);
    out << "Alice\nbob's\nab\nabcdefghijk\nUSA\ncafé\n";
    for (int i = 0; i < 60; ++i) out << "word" << char('a' + i % 26) << char('a' + i / 26) << "\n";
    out << "wordaa\n";  // a repeat
  }
  void TearDown() override { std::remove(path_.c_str()); }
  std::string path_;
};

TEST_F(WordList, KeepsLowerCaseWordsOfTheLetterRangeOnce) {
  SynthSpeechOptions o;
  o.word_list = path_;
  const auto words = read_word_list(o, "cfg.yaml");
  ASSERT_EQ(words.size(), 60u);
  EXPECT_EQ(words.front(), "wordaa");
  EXPECT_EQ(words.back(), "wordhc");
  o.min_word_letters = 7;  // no word of the list has 7 letters or more: too few words
  try {
    read_word_list(o, "cfg.yaml");
    FAIL() << "a list of 0 usable words was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'word_list'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(path_), std::string::npos) << e.what();
  }
  o.word_list = path_ + ".missing";
  EXPECT_THROW(read_word_list(o, "cfg.yaml"), ConfigError);
}

TEST(SynthSpeechPlan, IsAPureFunctionOfSeedAndIndexWithinTheRanges) {
  SynthSpeechOptions o;
  std::vector<std::string> words;
  for (int i = 0; i < 100; ++i) words.push_back(std::string(1 + i % 7, 'a' + i % 26));
  std::map<std::string, int> splits;
  std::set<std::string> voices;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    const auto plan = plan_synth_utterance(o, words, i);
    const auto again = plan_synth_utterance(o, words, i);
    ASSERT_EQ(plan.text, again.text);
    ASSERT_EQ(plan.voice.name, again.voice.name);
    ASSERT_EQ(plan.split, again.split);
    ++splits[plan.split];
    voices.insert(plan.voice.name);
    int n_words = 1;
    for (char c : plan.text) n_words += c == ' ';
    EXPECT_GE(n_words, o.min_words);
    EXPECT_LE(n_words, o.max_words);
    EXPECT_EQ(plan.text.back(), '.');
    EXPECT_GE(plan.voice.words_per_minute, o.min_wpm);
    EXPECT_LE(plan.voice.words_per_minute, o.max_wpm);
    EXPECT_GE(plan.voice.pitch, o.min_pitch);
    EXPECT_LE(plan.voice.pitch, o.max_pitch);
    EXPECT_GE(plan.voice.pitch_range, o.min_pitch_range);
    EXPECT_LE(plan.voice.pitch_range, o.max_pitch_range);
  }
  EXPECT_EQ(voices.size(), o.voices.size());
  // 5% each: 200 expected of 4000, binomial sd 14.
  EXPECT_NEAR(splits["test"], 200, 60);
  EXPECT_NEAR(splits["validation"], 200, 60);
  SynthSpeechOptions other = o;
  other.seed = o.seed + 1;
  int same = 0;
  for (int i = 0; i < 50; ++i) {
    same += plan_synth_utterance(o, words, i).text == plan_synth_utterance(other, words, i).text;
  }
  EXPECT_LT(same, 3);
}

TEST(SynthSpeech, WritesTheRequestedHoursWithTheirAlignment) {
  SynthSpeechOptions o;
  o.hours = 0.01;  // 36 s
  o.validation_fraction = 0.2;
  o.test_fraction = 0.2;
  const std::string path = temp_path("corpus.h5");
  std::remove(path.c_str());
  write_synth_speech(o, path, false, "test");
  SpeechReader reader(path);
  const SpeechIndex& index = reader.index();
  EXPECT_GE(index.hours(), o.hours);
  EXPECT_LT(index.hours(), o.hours + 20.0 / 3600);  // the last utterance is under 20 s
  EXPECT_DOUBLE_EQ(index.sample_rate, 16000);
  EXPECT_TRUE(std::is_sorted(index.inventory.begin(), index.inventory.end()));
  std::vector<std::string> words = read_word_list(o, "test");
  for (std::size_t i = 0; i < index.utterances.size(); ++i) {
    const SpeechUtterance& u = index.utterances[i];
    const auto plan = plan_synth_utterance(o, words, static_cast<std::int64_t>(i));
    EXPECT_EQ(u.text, plan.text);
    EXPECT_EQ(u.split, plan.split);
    EXPECT_EQ(u.voice, plan.voice.name);
    EXPECT_EQ(u.words_per_minute, plan.voice.words_per_minute);
    ASSERT_FALSE(u.phonemes.empty());
    EXPECT_EQ(u.phonemes.back().end, u.samples);
    int word_starts = 0;
    for (const auto& p : u.phonemes) word_starts += p.word_start;
    int n_words = 1;
    for (char c : u.text) n_words += c == ' ';
    EXPECT_EQ(word_starts, n_words) << u.text;
    const std::vector<float> audio = reader.audio(i);
    ASSERT_EQ(static_cast<std::int64_t>(audio.size()), u.samples);
    EXPECT_GT(rms(audio, 0, u.samples), 0.01);
  }
  EXPECT_THROW(write_synth_speech(o, path, false, "test"), DataError);  // exists, no overwrite
  std::remove(path.c_str());
}

// A two-utterance corpus written by hand: a tone and silence, three phonemes each.
std::string write_small_corpus(const std::string& name) {
  const std::string path = temp_path(name);
  std::remove(path.c_str());
  SpeechWriter writer(path, 16000, "test", false);
  for (int u = 0; u < 2; ++u) {
    std::vector<float> samples(8000);
    for (int i = 0; i < 4000; ++i) samples[i] = 0.5f * std::sin(0.1f * i * (u + 1));
    SpeechUtterance utterance;
    utterance.split = u == 0 ? "train" : "test";
    utterance.text = u == 0 ? "a b." : "b c.";
    utterance.voice = "tone";
    writer.add(utterance, samples,
               {{u == 0 ? "a" : "b", 0, 2000, true},
                {u == 0 ? "b" : "c", 2000, 4000, true},
                {"_:", 4000, 8000, false}});
  }
  writer.commit();
  return path;
}

TEST(SpeechCorpus, RoundTripsAndNumbersPhonemesBySortedName) {
  const std::string path = write_small_corpus("small.h5");
  SpeechReader reader(path);
  const SpeechIndex& index = reader.index();
  EXPECT_EQ(index.inventory, (std::vector<std::string>{"_:", "a", "b", "c"}));
  ASSERT_EQ(index.utterances.size(), 2u);
  EXPECT_EQ(index.utterances[1].offset, 8000);
  EXPECT_EQ(index.utterances[1].phonemes[0].id, 2);  // "b"
  EXPECT_EQ(index.utterances[1].phonemes[2].id, 0);  // "_:"
  EXPECT_EQ(index.in_split("test"), (std::vector<std::size_t>{1}));
  const auto audio = reader.audio(1);
  EXPECT_NEAR(audio[10], 0.5f * std::sin(0.2f * 10), 1.0 / 32768);
  EXPECT_EQ(audio[5000], 0.0f);
  std::remove(path.c_str());
}

TEST(SpeechCorpus, WriterRefusesMisplacedPhonemesAndLeavesNoFile) {
  const std::string path = temp_path("refused.h5");
  std::remove(path.c_str());
  {
    SpeechWriter writer(path, 16000, "test", false);
    SpeechUtterance u;
    u.text = "x.";
    const std::vector<float> samples(1000, 0.1f);
    EXPECT_THROW(writer.add(u, samples, {{"a", 0, 500, true}, {"b", 600, 1000, false}}),
                 DataError);                                                  // a gap
    EXPECT_THROW(writer.add(u, samples, {{"a", 0, 1200, true}}), DataError);  // past the audio
    u.split = "dev";
    EXPECT_THROW(writer.add(u, samples, {{"a", 0, 1000, true}}), DataError);
    EXPECT_THROW(writer.commit(), DataError);  // nothing was added
  }
  EXPECT_FALSE(std::ifstream(path).good());
}

// Rewrites one value of an int64 dataset in place.
void poke(const std::string& path, const std::string& dataset, hsize_t row, std::int64_t value) {
  H5Id file(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose, "open " + path);
  H5Id data = open_dataset(file.get(), dataset);
  write_rows(data.get(), H5T_NATIVE_INT64, row, 1, &value);
}

TEST(SpeechCorpus, ReaderNamesWhatIsWrong) {
  struct Case {
    const char* dataset;
    hsize_t row;
    std::int64_t value;
    const char* expected;
  };
  const Case cases[] = {{"/phonemes/end", 1, 9000, "utterance 0: phoneme 1"},
                        {"/phonemes/start", 4, 100, "utterance 1: phoneme 1"},
                        {"/phonemes/id", 0, 7, "utterance 0: phoneme 0 (id 7 of 4)"},
                        {"/utterances/offset", 1, 12000, "utterance 1: audio [12000, 20000)"},
                        {"/utterances/phoneme_count", 1, 5, "utterance 1: phonemes [3, 8)"}};
  for (const Case& c : cases) {
    const std::string path = write_small_corpus("broken.h5");
    poke(path, c.dataset, c.row, c.value);
    try {
      SpeechReader reader(path);
      ADD_FAILURE() << c.dataset << " = " << c.value << " was accepted";
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos)
          << c.dataset << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
    std::remove(path.c_str());
  }
  EXPECT_THROW(SpeechReader(temp_path("nonexistent.h5")), DataError);
}

}  // namespace
}  // namespace neuroscale::io
