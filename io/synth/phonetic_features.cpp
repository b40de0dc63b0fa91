#include "io/synth/phonetic_features.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "core/check.h"
#include "io/synth/auditory_features.h"

namespace neuroscale::io {
namespace {

// espeak-ng's English phonemes (en-us, en-gb and their relatives; phsource/ph_english*) and
// their features. Vowels are voiced; '@L' and 'n-' are syllabic consonants; ';' is the
// palatal glide espeak-ng inserts before some vowels.
const std::map<std::string, std::string>& feature_table() {
  static const std::map<std::string, std::string> kTable = {
      // stops and the glottal stop
      {"p", "stop labial"},
      {"b", "stop labial voiced"},
      {"t", "stop coronal"},
      {"t#", "stop coronal voiced"},  // the flap of "water"
      {"t2", "stop coronal"},
      {"d", "stop coronal voiced"},
      {"k", "stop dorsal"},
      {"g", "stop dorsal voiced"},
      {"?", "stop glottal"},
      // fricatives and affricates
      {"f", "fricative labial"},
      {"v", "fricative labial voiced"},
      {"T", "fricative coronal"},
      {"D", "fricative coronal voiced"},
      {"s", "fricative coronal"},
      {"z", "fricative coronal voiced"},
      {"S", "fricative coronal"},
      {"Z", "fricative coronal voiced"},
      {"h", "fricative glottal"},
      {"x", "fricative dorsal"},
      {"tS", "affricate coronal"},
      {"dZ", "affricate coronal voiced"},
      // nasals, liquids, glides
      {"m", "nasal labial voiced"},
      {"n", "nasal coronal voiced"},
      {"n-", "nasal coronal voiced"},
      {"N", "nasal dorsal voiced"},
      {"l", "liquid coronal voiced"},
      {"@L", "vowel liquid coronal voiced"},
      {"r", "liquid coronal voiced rhotic"},
      {"r-", "liquid coronal voiced rhotic"},
      {"w", "glide labial dorsal voiced rounded"},
      {"j", "glide dorsal voiced high front"},
      {";", "glide dorsal voiced high front"},
      // monophthongs
      {"a", "vowel voiced low front"},
      {"aa", "vowel voiced low front"},
      {"a#", "vowel voiced low"},
      {"A:", "vowel voiced low back"},
      {"A@", "vowel voiced low back rhotic"},
      {"A~", "vowel voiced low back"},
      {"0", "vowel voiced low back"},
      {"@", "vowel voiced"},
      {"@-", "vowel voiced"},
      {"@2", "vowel voiced"},
      {"3", "vowel voiced rhotic"},
      {"3:", "vowel voiced rhotic"},
      {"E", "vowel voiced front"},
      {"I", "vowel voiced high front"},
      {"I#", "vowel voiced high front"},
      {"I2", "vowel voiced high front"},
      {"i", "vowel voiced high front"},
      {"i:", "vowel voiced high front"},
      {"V", "vowel voiced back"},
      {"O:", "vowel voiced back rounded"},
      {"O2", "vowel voiced back rounded"},
      {"U", "vowel voiced high back rounded"},
      {"u:", "vowel voiced high back rounded"},
      // diphthongs and r-coloured vowels
      {"aI", "vowel voiced low front diphthong"},
      {"aI3", "vowel voiced low front diphthong rhotic"},
      {"aI@", "vowel voiced low front diphthong rhotic"},
      {"aU", "vowel voiced low back rounded diphthong"},
      {"eI", "vowel voiced front diphthong"},
      {"e@", "vowel voiced front diphthong rhotic"},
      {"i@", "vowel voiced high front diphthong rhotic"},
      {"i@3", "vowel voiced high front diphthong rhotic"},
      {"oU", "vowel voiced back rounded diphthong"},
      {"o@", "vowel voiced back rounded rhotic"},
      {"O@", "vowel voiced back rounded rhotic"},
      {"OI", "vowel voiced back rounded diphthong"},
      {"U@", "vowel voiced high back rounded diphthong rhotic"},
  };
  return kTable;
}

int feature_index(const std::string& name) {
  const auto& names = phonetic_feature_names();
  const auto found = std::find(names.begin(), names.end(), name);
  NS_ASSERT(found != names.end(), "phonetic feature table names an unknown feature '", name, "'");
  return static_cast<int>(found - names.begin());
}

}  // namespace

const std::array<const char*, kPhoneticFeatures>& phonetic_feature_names() {
  static const std::array<const char*, kPhoneticFeatures> kNames = {
      "silence", "vowel",  "stop",   "fricative", "affricate", "nasal",   "liquid",
      "glide",   "voiced", "labial", "coronal",   "dorsal",    "glottal", "high",
      "low",     "front",  "back",   "rounded",   "diphthong", "rhotic"};
  return kNames;
}

std::array<double, kPhoneticFeatures> phoneme_features(const std::string& mnemonic, bool* known) {
  std::array<double, kPhoneticFeatures> features{};
  if (!mnemonic.empty() && mnemonic[0] == '_') {
    features[static_cast<std::size_t>(feature_index("silence"))] = 1;
    if (known != nullptr) *known = true;
    return features;
  }
  const auto& table = feature_table();
  const auto entry = table.find(mnemonic);
  if (known != nullptr) *known = entry != table.end();
  if (entry == table.end()) return features;
  std::istringstream names(entry->second);
  for (std::string name; names >> name;)
    features[static_cast<std::size_t>(feature_index(name))] = 1;
  return features;
}

at::Tensor phonetic_features(const std::vector<PhonemeSegment>& segments, std::int64_t samples,
                             double sample_rate) {
  NS_CHECK_AS(DataError, samples > 0 && sample_rate > 0, "phonetic features of ", samples,
              " samples at ", sample_rate, " Hz");
  const double hop = sample_rate / kFeatureRateHz;
  const auto hop_samples = static_cast<std::int64_t>(std::llround(hop));
  const std::int64_t frames = (samples + hop_samples - 1) / hop_samples;
  at::Tensor out = at::zeros({frames, kPhoneticFeatures}, at::kDouble);
  double* data = out.data_ptr<double>();
  const auto silence = static_cast<std::size_t>(feature_index("silence"));
  // Frame k's window [k hop - hop/2, k hop + hop/2) in samples; first all silence, then each
  // segment's overlap moves its share from silence to the segment's features.
  for (std::int64_t k = 0; k < frames; ++k) data[k * kPhoneticFeatures + silence] = 1;
  for (const PhonemeSegment& segment : segments) {
    if (segment.end <= segment.start) continue;
    const std::array<double, kPhoneticFeatures> features = phoneme_features(segment.phoneme);
    const auto first = std::max<std::int64_t>(
        0, static_cast<std::int64_t>(std::floor(static_cast<double>(segment.start) / hop + 0.5)));
    const auto last = std::min<std::int64_t>(
        frames - 1,
        static_cast<std::int64_t>(std::floor(static_cast<double>(segment.end) / hop + 0.5)));
    for (std::int64_t k = first; k <= last; ++k) {
      const double from =
          std::max(static_cast<double>(k) * hop - hop / 2, static_cast<double>(segment.start));
      const double to =
          std::min(static_cast<double>(k) * hop + hop / 2, static_cast<double>(segment.end));
      if (to <= from) continue;
      const double share = (to - from) / hop;
      double* row = data + k * kPhoneticFeatures;
      row[silence] -= share;
      for (std::size_t f = 0; f < features.size(); ++f) row[f] += share * features[f];
    }
  }
  // Time before the audio (half of frame 0) and between segments stays silence; the clamp
  // removes rounding residue (a silence share of -1e-16 where segments fill a frame).
  return out.clamp_min(0);
}

}  // namespace neuroscale::io
