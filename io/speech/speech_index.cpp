#include "io/speech/speech_index.h"

#include <algorithm>
#include <iomanip>
#include <set>
#include <sstream>

namespace neuroscale::io {

std::vector<std::size_t> SpeechIndex::in_split(const std::string& split) const {
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < utterances.size(); ++i) {
    if (utterances[i].split == split) indices.push_back(i);
  }
  return indices;
}

double SpeechIndex::hours(const std::string& split) const {
  double samples = 0;
  for (const auto& u : utterances) {
    if (split.empty() || u.split == split) samples += static_cast<double>(u.samples);
  }
  return samples / sample_rate / 3600.0;
}

std::vector<std::int64_t> frame_phonemes(const SpeechUtterance& utterance, std::int64_t window,
                                         std::int64_t hop, std::int64_t frames) {
  std::vector<std::int64_t> phones(static_cast<std::size_t>(std::max<std::int64_t>(frames, 0)), -1);
  std::size_t segment = 0;
  const auto& segments = utterance.phonemes;
  for (std::int64_t t = 0; t < frames; ++t) {
    const std::int64_t centre = t * hop + window / 2;
    while (segment < segments.size() && segments[segment].end <= centre) ++segment;
    if (segment < segments.size() && segments[segment].start <= centre) {
      phones[static_cast<std::size_t>(t)] = segments[segment].id;
    }
  }
  return phones;
}

std::string summarize(const SpeechIndex& index) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(3);
  out << "speech corpus '" << index.path << "': " << index.utterances.size() << " utterances, "
      << index.hours() << " h at " << std::setprecision(0) << index.sample_rate << " Hz, "
      << index.inventory.size() << " phonemes\n";
  out << std::setprecision(3);
  for (const char* split : kSpeechSplits) {
    std::int64_t phonemes = 0;
    const auto members = index.in_split(split);
    for (std::size_t i : members)
      phonemes += static_cast<std::int64_t>(index.utterances[i].phonemes.size());
    out << "  " << std::left << std::setw(10) << split << std::right << std::setw(7)
        << members.size() << " utterances " << std::setw(8) << index.hours(split) << " h "
        << std::setw(9) << phonemes << " phonemes\n";
  }
  std::set<std::string> voices;
  for (const auto& u : index.utterances) voices.insert(u.voice);
  out << "  voices (" << voices.size() << "):";
  for (const auto& v : voices) out << ' ' << v;
  out << '\n';
  return out.str();
}

}  // namespace neuroscale::io
