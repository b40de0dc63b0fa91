#include "io/synth/espeak_engine.h"

#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>

#include "core/check.h"
#include "io/audio/audio_file.h"

namespace neuroscale::io {
namespace {

// The library's state is global, so is its lock: every call into espeak-ng holds it.
std::mutex& espeak_mutex() {
  static std::mutex mutex;
  return mutex;
}

struct Event {
  std::int64_t sample;  // at the library's rate
  std::string phoneme;  // empty for a word boundary
};

// What one speak() call collects; reached from the callback through the synthesis's
// user_data, so no state outlives the call.
struct Collector {
  std::vector<short> samples;
  std::vector<Event> events;
};

int collect(short* wav, int count, espeak_EVENT* events) {
  auto* collector = static_cast<Collector*>(events->user_data);
  if (collector == nullptr) return 0;
  if (wav != nullptr && count > 0)
    collector->samples.insert(collector->samples.end(), wav, wav + count);
  for (const espeak_EVENT* e = events; e->type != espeakEVENT_LIST_TERMINATED; ++e) {
    if (e->type == espeakEVENT_PHONEME) {
      const char* name = e->id.string;
      collector->events.push_back(
          {e->sample, std::string(name, strnlen(name, sizeof e->id.string))});
    } else if (e->type == espeakEVENT_WORD) {
      collector->events.push_back({e->sample, ""});
    }
  }
  return 0;  // continue
}

// Initialises the process's synthesiser once; returns its sample rate.
double initialise_once() {
  static const int rate = [] {
    return espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr,
                             espeakINITIALIZE_PHONEME_EVENTS | espeakINITIALIZE_DONT_EXIT);
  }();
  NS_CHECK(rate > 0, "libespeak-ng could not initialise (error ", rate,
           "): is espeak-ng-data installed? (scripts/setup installs it)");
  return rate;
}

const char* status_name(espeak_ERROR status) {
  switch (status) {
    case EE_OK:
      return "ok";
    case EE_INTERNAL_ERROR:
      return "internal error";
    case EE_BUFFER_FULL:
      return "buffer full";
    case EE_NOT_FOUND:
      return "not found";
  }
  return "unknown error";
}

// Caller holds espeak_mutex().
void set_parameter(espeak_PARAMETER parameter, int value, const char* name) {
  const espeak_ERROR status = espeak_SetParameter(parameter, value, 0);
  NS_CHECK(status == EE_OK, "libespeak-ng: cannot set ", name, " to ", value, " (",
           status_name(status), ")");
}

// Selects a voice as the espeak-ng executable's -v does: by name or file name, else by
// language ("en-gb" is a language of the voice file gmw/en, not a name). Caller holds
// espeak_mutex().
bool select_voice_locked(const std::string& name) {
  if (espeak_SetVoiceByName(name.c_str()) == EE_OK) return true;
  espeak_VOICE spec;
  std::memset(&spec, 0, sizeof spec);
  spec.languages = name.c_str();
  return espeak_SetVoiceByProperties(&spec) == EE_OK;
}

// Caller holds espeak_mutex().
void check_voice_locked(const std::string& name, const std::string& context) {
  const auto plus = name.find('+');
  const std::string base = name.substr(0, plus);
  NS_CHECK_AS(
      ConfigError, !base.empty() && select_voice_locked(base), context, "espeak-ng has no voice '",
      base, "' (in '", name,
      "'; expected a name, file name or language of 'espeak-ng --voices', e.g. en-us, en-gb, "
      "en-gb-x-rp)");
  if (plus == std::string::npos) return;
  const std::string variant = name.substr(plus + 1);
  espeak_VOICE spec;
  std::memset(&spec, 0, sizeof spec);
  spec.languages = "variant";
  bool found = false;
  for (const espeak_VOICE** v = espeak_ListVoices(&spec); v != nullptr && *v != nullptr; ++v) {
    // Variants are identified as "!v/<file>"; names and files differ in case ("Alex").
    const std::string id = (*v)->identifier != nullptr ? (*v)->identifier : "";
    const std::string file = id.rfind("!v/", 0) == 0 ? id.substr(3) : id;
    if (file == variant || ((*v)->name != nullptr && variant == (*v)->name)) found = true;
  }
  NS_CHECK_AS(ConfigError, found, context, "espeak-ng has no voice variant '", variant, "' (in '",
              name, "'; 'espeak-ng --voices=variant' lists them, e.g. f3, m3, klatt)");
}

}  // namespace

EspeakEngine::EspeakEngine() {
  std::lock_guard<std::mutex> lock(espeak_mutex());
  native_rate_ = initialise_once();
}

void EspeakEngine::check_voice(const std::string& name, const std::string& context) const {
  std::lock_guard<std::mutex> lock(espeak_mutex());
  check_voice_locked(name, context);
}

SpokenText EspeakEngine::speak(const std::string& text, const EspeakVoice& voice,
                               double sample_rate) const {
  NS_CHECK(sample_rate > 0, "speak: sample rate ", sample_rate, " (expected > 0)");
  Collector collector;
  {
    std::lock_guard<std::mutex> lock(espeak_mutex());
    NS_CHECK_AS(ConfigError, select_voice_locked(voice.name), "espeak-ng has no voice '",
                voice.name, "' ('espeak-ng --voices' lists them)");
    set_parameter(espeakRATE, voice.words_per_minute, "the rate (words per minute)");
    set_parameter(espeakPITCH, voice.pitch, "the pitch");
    set_parameter(espeakRANGE, voice.pitch_range, "the pitch range");
    espeak_SetSynthCallback(collect);
    const espeak_ERROR status = espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0,
                                             espeakCHARS_UTF8, nullptr, &collector);
    NS_CHECK(status == EE_OK, "libespeak-ng could not speak '", text.substr(0, 60), "' (",
             status_name(status), ")");
    NS_CHECK(espeak_Synchronize() == EE_OK, "libespeak-ng: synchronising failed");
  }
  NS_CHECK(!collector.samples.empty(), "libespeak-ng produced no audio for '", text.substr(0, 60),
           "'");

  SpokenText spoken;
  std::vector<float> native(collector.samples.size());
  std::transform(collector.samples.begin(), collector.samples.end(), native.begin(),
                 [](short s) { return static_cast<float>(s) / 32768.0f; });
  const double scale = sample_rate / native_rate_;
  spoken.samples =
      sample_rate == native_rate_ ? std::move(native) : resample(native, native_rate_, sample_rate);
  spoken.sample_rate = sample_rate;
  const auto total = static_cast<std::int64_t>(spoken.samples.size());
  auto at_rate = [&](std::int64_t native_sample) {
    return std::clamp<std::int64_t>(std::llround(static_cast<double>(native_sample) * scale), 0,
                                    total);
  };

  // Phonemes in event order; a word event marks the first phoneme after it that is not a
  // pause ('_...'; espeak-ng sends some word events before a clause's pause). Segments are
  // contiguous: each ends where the next starts, the last at the end of the audio.
  bool next_starts_word = false;
  for (const Event& event : collector.events) {
    if (event.phoneme.empty()) {
      next_starts_word = true;
      continue;
    }
    const std::int64_t start = at_rate(event.sample);
    if (!spoken.phonemes.empty()) spoken.phonemes.back().end = start;
    const bool pause = event.phoneme[0] == '_';
    spoken.phonemes.push_back({event.phoneme, start, total, next_starts_word && !pause});
    if (!pause) next_starts_word = false;
  }
  // Events at the same sample (a zero-length phoneme, as espeak-ng reports some pauses)
  // are kept: their segment is empty, and readers skip empty segments.
  for (std::size_t i = 0; i + 1 < spoken.phonemes.size(); ++i) {
    NS_ASSERT(spoken.phonemes[i].start <= spoken.phonemes[i].end,
              "libespeak-ng phoneme events out of order in '", text.substr(0, 60), "'");
  }
  return spoken;
}

}  // namespace neuroscale::io
