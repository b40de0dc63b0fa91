#include "io/speech/speech_writer.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "core/check.h"
#include "io/fs/files.h"
#include "io/hdf5/h5_file.h"
#include "io/speech/speech_reader.h"
#include "neuroscale/build_config.h"

namespace neuroscale::io {
namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

// One second of 16 kHz audio per chunk: utterances are read whole, a few chunks each.
constexpr hsize_t kAudioChunk = 16000;

template <class T, class F>
std::vector<T> column(const std::vector<SpeechUtterance>& utterances, F field) {
  std::vector<T> values;
  values.reserve(utterances.size());
  for (const auto& u : utterances) values.push_back(field(u));
  return values;
}

}  // namespace

SpeechWriter::SpeechWriter(const std::string& path, double sample_rate, const std::string& source,
                           bool overwrite, const std::string& provenance)
    : path_(path), sample_rate_(sample_rate) {
  NS_CHECK_AS(DataError, overwrite || !path_exists(path), "output '", path,
              "' already exists (pass --force to replace it)");
  NS_CHECK_AS(DataError, sample_rate > 0, "speech corpus '", path, "': sample_rate ", sample_rate,
              " (expected > 0)");
  temp_path_ = path + ".tmp." + std::to_string(static_cast<long>(getpid()));
  Lock lock(hdf5_mutex());
  file_ = create_file(temp_path_, MPI_COMM_NULL);
  const hid_t root = file_.get();
  write_attribute(root, "format", std::string(kSpeechFormatName));
  write_attribute(root, "format_version", kSpeechFormatVersion);
  write_attribute(root, "sample_rate", sample_rate);
  write_attribute(root, "source", source);
  write_attribute(root, "created_by", std::string("neuroscale ") + NEUROSCALE_VERSION);
  if (!provenance.empty()) write_attribute(root, "provenance", provenance);
  audio_ = create_growing_dataset(root, "audio", H5T_STD_I16LE, kAudioChunk);
}

SpeechWriter::~SpeechWriter() {
  if (committed_) return;
  Lock lock(hdf5_mutex());
  audio_.reset();
  file_.reset();
  if (!temp_path_.empty()) std::remove(temp_path_.c_str());
}

void SpeechWriter::add(SpeechUtterance utterance, const std::vector<float>& samples,
                       const std::vector<PhonemeSegment>& phonemes) {
  const std::string context = "speech corpus '" + path_ + "', utterance " +
                              std::to_string(utterances_.size()) + " ('" +
                              utterance.text.substr(0, 40) + "')";
  NS_CHECK_AS(DataError,
              std::find(std::begin(kSpeechSplits), std::end(kSpeechSplits), utterance.split) !=
                  std::end(kSpeechSplits),
              context, ": split '", utterance.split, "' (expected train, validation or test)");
  NS_CHECK_AS(DataError, !samples.empty(), context, ": no audio");
  const auto n = static_cast<std::int64_t>(samples.size());
  std::int64_t previous_end = phonemes.empty() ? 0 : phonemes.front().start;
  for (std::size_t p = 0; p < phonemes.size(); ++p) {
    const PhonemeSegment& s = phonemes[p];
    NS_CHECK_AS(DataError,
                !s.phoneme.empty() && s.start == previous_end && s.start >= 0 && s.start <= s.end &&
                    s.end <= n,
                context, ": phoneme ", p, " '", s.phoneme, "' spans [", s.start, ", ", s.end,
                ") (expected it to start where the previous one ends, at ", previous_end,
                ", and end within the ", n, " samples)");
    previous_end = s.end;
  }
  utterance.phonemes.clear();
  for (const PhonemeSegment& s : phonemes) {
    auto [it, inserted] = ids_.emplace(s.phoneme, static_cast<std::int64_t>(names_.size()));
    if (inserted) names_.push_back(s.phoneme);
    utterance.phonemes.push_back({it->second, s.start, s.end, s.word_start});
  }

  std::vector<std::int16_t> pcm(samples.size());
  std::transform(samples.begin(), samples.end(), pcm.begin(), [](float x) {
    const float clipped = std::isfinite(x) ? std::clamp(x, -1.0f, 32767.0f / 32768.0f) : 0.0f;
    return static_cast<std::int16_t>(std::lround(clipped * 32768.0f));
  });
  {
    Lock lock(hdf5_mutex());
    append_rows(audio_.get(), H5T_NATIVE_INT16, pcm.size(), pcm.data());
  }
  utterance.offset = total_samples_;
  utterance.samples = n;
  total_samples_ += n;
  utterances_.push_back(std::move(utterance));
}

void SpeechWriter::commit() {
  NS_CHECK(!committed_, "speech corpus '", path_, "' is already committed");
  NS_CHECK_AS(DataError, !utterances_.empty(), "speech corpus '", path_, "': no utterance");
  // The inventory is stored sorted; first-seen ids are renumbered.
  std::vector<std::string> inventory = names_;
  std::sort(inventory.begin(), inventory.end());
  std::vector<std::int64_t> renumber(names_.size());
  for (std::size_t i = 0; i < names_.size(); ++i) {
    renumber[i] =
        std::lower_bound(inventory.begin(), inventory.end(), names_[i]) - inventory.begin();
  }
  std::vector<std::int64_t> ids, starts, ends, word_starts, phoneme_offsets, phoneme_counts;
  for (const auto& u : utterances_) {
    phoneme_offsets.push_back(static_cast<std::int64_t>(ids.size()));
    phoneme_counts.push_back(static_cast<std::int64_t>(u.phonemes.size()));
    for (const auto& p : u.phonemes) {
      ids.push_back(renumber[static_cast<std::size_t>(p.id)]);
      starts.push_back(p.start);
      ends.push_back(p.end);
      word_starts.push_back(p.word_start ? 1 : 0);
    }
  }
  {
    Lock lock(hdf5_mutex());
    const hid_t root = file_.get();
    H5Id utterances = create_group(root, "utterances");
    const hid_t u = utterances.get();
    write_array(u, "offset", column<std::int64_t>(utterances_, [](auto& x) { return x.offset; }));
    write_array(u, "samples", column<std::int64_t>(utterances_, [](auto& x) { return x.samples; }));
    write_strings(u, "split", column<std::string>(utterances_, [](auto& x) { return x.split; }));
    write_strings(u, "text", column<std::string>(utterances_, [](auto& x) { return x.text; }));
    write_strings(u, "voice", column<std::string>(utterances_, [](auto& x) { return x.voice; }));
    write_array(u, "words_per_minute",
                column<std::int64_t>(utterances_, [](auto& x) { return x.words_per_minute; }));
    write_array(u, "pitch", column<std::int64_t>(utterances_, [](auto& x) { return x.pitch; }));
    write_array(u, "pitch_range",
                column<std::int64_t>(utterances_, [](auto& x) { return x.pitch_range; }));
    write_array(u, "phoneme_offset", phoneme_offsets);
    write_array(u, "phoneme_count", phoneme_counts);
    H5Id phonemes = create_group(root, "phonemes");
    const hid_t p = phonemes.get();
    write_strings(p, "inventory", inventory);
    write_array(p, "id", ids);
    write_array(p, "start", starts);
    write_array(p, "end", ends);
    write_array(p, "word_start", word_starts);
    utterances.reset();
    phonemes.reset();
    audio_.reset();
    file_.close("close speech corpus '" + temp_path_ + "'");
  }
  SpeechReader check(temp_path_);  // never rename an invalid file into place
  NS_CHECK_AS(DataError, std::rename(temp_path_.c_str(), path_.c_str()) == 0, "cannot rename '",
              temp_path_, "' to '", path_, "': ", std::strerror(errno));
  committed_ = true;
}

}  // namespace neuroscale::io
