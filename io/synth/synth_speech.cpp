#include "io/synth/synth_speech.h"

#include <fstream>
#include <set>

#include "core/check.h"
#include "core/random.h"
#include "io/speech/speech_writer.h"

namespace neuroscale::io {
namespace {

constexpr std::size_t kMinWords = 50;
// Stream ids of the RNG: one stream per utterance, so utterance i does not depend on how
// many draws the ones before it made.
constexpr std::uint64_t kUtteranceStream = 0x5350454543480001ull;  // "SPEECH" 1

bool keep(const std::string& word, const SynthSpeechOptions& o) {
  if (word.size() < static_cast<std::size_t>(o.min_word_letters) ||
      word.size() > static_cast<std::size_t>(o.max_word_letters)) {
    return false;
  }
  for (char c : word) {
    if (c < 'a' || c > 'z') return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> read_word_list(const SynthSpeechOptions& o, const std::string& source) {
  std::ifstream in(o.word_list);
  NS_CHECK_AS(ConfigError, in.good(), source, ": 'word_list': cannot read '", o.word_list,
              "' (expected a file of one word per line; apt-get install wamerican)");
  std::vector<std::string> words;
  std::set<std::string> seen;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (keep(line, o) && seen.insert(line).second) words.push_back(line);
  }
  NS_CHECK_AS(ConfigError, words.size() >= kMinWords, source, ": 'word_list': '", o.word_list,
              "' has ", words.size(), " words of ", o.min_word_letters, "-", o.max_word_letters,
              " lower-case letters a-z (expected at least ", kMinWords, ")");
  return words;
}

SynthUtterancePlan plan_synth_utterance(const SynthSpeechOptions& o,
                                        const std::vector<std::string>& words, std::int64_t i) {
  NS_ASSERT(!words.empty() && !o.voices.empty(), "plan_synth_utterance: no words or voices");
  Rng rng(static_cast<std::uint64_t>(o.seed), {kUtteranceStream, static_cast<std::uint64_t>(i)});
  SynthUtterancePlan plan;
  const double u = rng.uniform();
  plan.split = u < o.test_fraction                           ? "test"
               : u < o.test_fraction + o.validation_fraction ? "validation"
                                                             : "train";
  const auto n_words = rng.uniform_int(o.min_words, o.max_words);
  for (std::int64_t w = 0; w < n_words; ++w) {
    if (w > 0) plan.text += ' ';
    plan.text += words[static_cast<std::size_t>(
        rng.uniform_int(0, static_cast<std::int64_t>(words.size()) - 1))];
  }
  plan.text += '.';
  plan.voice.name = o.voices[static_cast<std::size_t>(
      rng.uniform_int(0, static_cast<std::int64_t>(o.voices.size()) - 1))];
  plan.voice.words_per_minute = static_cast<int>(rng.uniform_int(o.min_wpm, o.max_wpm));
  plan.voice.pitch = static_cast<int>(rng.uniform_int(o.min_pitch, o.max_pitch));
  plan.voice.pitch_range = static_cast<int>(rng.uniform_int(o.min_pitch_range, o.max_pitch_range));
  return plan;
}

std::vector<std::string> check_synth_speech(const SynthSpeechOptions& o,
                                            const std::string& source) {
  validate(o, source);
  std::vector<std::string> words = read_word_list(o, source);
  EspeakEngine engine;
  for (const auto& voice : o.voices) engine.check_voice(voice, source + ": 'voices': ");
  return words;
}

void write_synth_speech(const SynthSpeechOptions& o, const std::string& path, bool overwrite,
                        const std::string& source,
                        const std::function<void(double, double)>& progress) {
  const std::vector<std::string> words = check_synth_speech(o, source);
  EspeakEngine engine;

  SynthSpeechOptions copy = o;
  SpeechWriter writer(path, o.sample_rate, "synth: espeak-ng speech (" + source + ")", overwrite,
                      to_yaml([&](ConfigVisitor& v) { describe(v, copy); }));
  const double target_s = o.hours * 3600.0;
  double spoken_s = 0;
  for (std::int64_t i = 0; spoken_s < target_s; ++i) {
    const SynthUtterancePlan plan = plan_synth_utterance(o, words, i);
    const SpokenText spoken = engine.speak(plan.text, plan.voice, o.sample_rate);
    SpeechUtterance utterance;
    utterance.split = plan.split;
    utterance.text = plan.text;
    utterance.voice = plan.voice.name;
    utterance.words_per_minute = plan.voice.words_per_minute;
    utterance.pitch = plan.voice.pitch;
    utterance.pitch_range = plan.voice.pitch_range;
    writer.add(std::move(utterance), spoken.samples, spoken.phonemes);
    spoken_s += static_cast<double>(spoken.samples.size()) / o.sample_rate;
    if (progress) progress(std::min(spoken_s, target_s), target_s);
  }
  writer.commit();
}

}  // namespace neuroscale::io
