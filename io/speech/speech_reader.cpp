#include "io/speech/speech_reader.h"

#include <algorithm>
#include <mutex>
#include <type_traits>

#include "core/check.h"
#include "io/fs/files.h"
#include "io/hdf5/file_format.h"
#include "io/hdf5/h5_file.h"

namespace neuroscale::io {
namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

// Reads a column of the utterance or phoneme table and checks its length.
template <class T>
std::vector<T> read_column(hid_t group, const std::string& group_name, const std::string& name,
                           std::size_t expected, const std::string& file) {
  NS_CHECK_AS(DataError, link_exists(group, name), "speech corpus '", file, "': missing dataset '/",
              group_name, "/", name, "'");
  std::vector<T> values;
  if constexpr (std::is_same_v<T, std::string>) {
    values = read_strings(group, name);
  } else {
    values = read_array<T>(group, name);
  }
  NS_CHECK_AS(DataError, expected == 0 || values.size() == expected, "speech corpus '", file,
              "': '/", group_name, "/", name, "' has ", values.size(), " rows, expected ",
              expected);
  return values;
}

}  // namespace

SpeechReader::SpeechReader(const std::string& path) {
  NS_CHECK_AS(DataError, is_regular_file(path), "speech corpus '", path, "' does not exist");
  index_.path = path;
  Lock lock(hdf5_mutex());
  file_ = open_file(path, MPI_COMM_NULL);
  const hid_t root = file_.get();
  check_file_format(root, path, kSpeechFormatName, kSpeechFormatVersion, "speech corpus",
                    "speech corpus", "; docs/speech-format.md");
  index_.sample_rate = read_double_attribute(root, "sample_rate");
  NS_CHECK_AS(DataError, index_.sample_rate > 0, "speech corpus '", path, "': sample_rate ",
              index_.sample_rate, " (expected > 0)");
  index_.source = has_attribute(root, "source") ? read_string_attribute(root, "source") : "";
  for (const char* group : {"audio", "utterances", "phonemes"}) {
    NS_CHECK_AS(DataError, link_exists(root, group), "speech corpus '", path, "': missing '/",
                group, "'");
  }
  audio_ = open_dataset(root, "audio");
  const auto audio_dims = dataset_dims(audio_.get());
  NS_CHECK_AS(DataError, audio_dims.size() == 1, "speech corpus '", path,
              "': '/audio' should be 1-D, has ", audio_dims.size(), " dimensions");
  const auto total = static_cast<std::int64_t>(audio_dims[0]);

  H5Id utterances = open_group(root, "utterances");
  const hid_t u = utterances.get();
  const auto offset = read_column<std::int64_t>(u, "utterances", "offset", 0, path);
  const std::size_t n = offset.size();
  NS_CHECK_AS(DataError, n > 0, "speech corpus '", path, "': no utterance");
  const auto samples = read_column<std::int64_t>(u, "utterances", "samples", n, path);
  const auto split = read_column<std::string>(u, "utterances", "split", n, path);
  const auto text = read_column<std::string>(u, "utterances", "text", n, path);
  const auto voice = read_column<std::string>(u, "utterances", "voice", n, path);
  const auto wpm = read_column<std::int64_t>(u, "utterances", "words_per_minute", n, path);
  const auto pitch = read_column<std::int64_t>(u, "utterances", "pitch", n, path);
  const auto range = read_column<std::int64_t>(u, "utterances", "pitch_range", n, path);
  const auto first_phoneme = read_column<std::int64_t>(u, "utterances", "phoneme_offset", n, path);
  const auto phoneme_count = read_column<std::int64_t>(u, "utterances", "phoneme_count", n, path);

  H5Id phonemes = open_group(root, "phonemes");
  const hid_t p = phonemes.get();
  index_.inventory = read_column<std::string>(p, "phonemes", "inventory", 0, path);
  const auto id = read_column<std::int64_t>(p, "phonemes", "id", 0, path);
  const std::size_t rows = id.size();
  const auto start = read_column<std::int64_t>(p, "phonemes", "start", rows, path);
  const auto end = read_column<std::int64_t>(p, "phonemes", "end", rows, path);
  const auto word_start = read_column<std::int64_t>(p, "phonemes", "word_start", rows, path);
  const auto n_inventory = static_cast<std::int64_t>(index_.inventory.size());

  index_.utterances.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string where = "speech corpus '" + path + "', utterance " + std::to_string(i);
    SpeechUtterance& utt = index_.utterances[i];
    utt.split = split[i];
    utt.text = text[i];
    utt.voice = voice[i];
    utt.words_per_minute = wpm[i];
    utt.pitch = pitch[i];
    utt.pitch_range = range[i];
    utt.offset = offset[i];
    utt.samples = samples[i];
    NS_CHECK_AS(DataError,
                std::find(std::begin(kSpeechSplits), std::end(kSpeechSplits), utt.split) !=
                    std::end(kSpeechSplits),
                where, ": split '", utt.split, "' (expected train, validation or test)");
    NS_CHECK_AS(DataError, utt.offset >= 0 && utt.samples > 0 && utt.offset + utt.samples <= total,
                where, ": audio [", utt.offset, ", ", utt.offset + utt.samples,
                ") is empty or outside '/audio' (", total, " samples)");
    NS_CHECK_AS(DataError,
                first_phoneme[i] >= 0 && phoneme_count[i] >= 0 &&
                    first_phoneme[i] + phoneme_count[i] <= static_cast<std::int64_t>(rows),
                where, ": phonemes [", first_phoneme[i], ", ", first_phoneme[i] + phoneme_count[i],
                ") outside the ", rows, " rows of '/phonemes'");
    for (std::int64_t k = 0; k < phoneme_count[i]; ++k) {
      const auto r = static_cast<std::size_t>(first_phoneme[i] + k);
      const std::int64_t previous_end = k == 0 ? start[r] : utt.phonemes.back().end;
      NS_CHECK_AS(DataError,
                  id[r] >= 0 && id[r] < n_inventory && start[r] == previous_end && start[r] >= 0 &&
                      start[r] <= end[r] && end[r] <= utt.samples,
                  where, ": phoneme ", k, " (id ", id[r], " of ", n_inventory, ") spans [",
                  start[r], ", ", end[r], "); expected a known id, the previous phoneme's end (",
                  previous_end, ") as start, and an end within the utterance's ", utt.samples,
                  " samples");
      utt.phonemes.push_back({id[r], start[r], end[r], word_start[r] != 0});
    }
  }
}

std::vector<float> SpeechReader::audio(std::size_t i) const {
  NS_CHECK(i < index_.utterances.size(), "speech corpus '", index_.path, "': utterance ", i, " of ",
           index_.utterances.size());
  const SpeechUtterance& utt = index_.utterances[i];
  std::vector<std::int16_t> pcm(static_cast<std::size_t>(utt.samples));
  {
    Lock lock(hdf5_mutex());
    read_rows(audio_.get(), H5T_NATIVE_INT16, static_cast<hsize_t>(utt.offset), pcm.size(),
              pcm.data());
  }
  std::vector<float> samples(pcm.size());
  std::transform(pcm.begin(), pcm.end(), samples.begin(),
                 [](std::int16_t s) { return static_cast<float>(s) / 32768.0f; });
  return samples;
}

}  // namespace neuroscale::io
