#include "io/ingest/b2t25_source.h"

#include <algorithm>
#include <map>
#include <regex>

#include "core/check.h"
#include "io/hdf5/h5_file.h"
#include "io/ingest/source_files.h"

namespace neuroscale::io {
namespace {

const std::regex& split_file_pattern() {
  static const std::regex kPattern("data_(train|val|test)\\.hdf5");
  return kPattern;
}

Split split_of(const std::string& file) {
  std::smatch match;
  const std::string name = basename_of(file);
  NS_CHECK_AS(DataError, std::regex_match(name, match, split_file_pattern()), "'", file,
              "' is not named data_train.hdf5, data_val.hdf5 or data_test.hdf5");
  if (match[1] == "train") return Split::kTrain;
  return match[1] == "val" ? Split::kVal : Split::kTest;
}

// Reads a 1-D integer dataset of any integer type.
std::vector<std::int64_t> read_ints(hid_t group, const std::string& name) {
  return read_array<std::int64_t>(group, name);
}

}  // namespace

B2t25Source::B2t25Source(std::vector<std::string> inputs) : inputs_(std::move(inputs)) {}

void B2t25Source::scan(CorpusContent& content) {
  // ---- files, in (session, split) order
  for (const std::string& input : inputs_) {
    if (!is_directory(input)) {
      split_of(input);
      files_.push_back(input);
      continue;
    }
    std::vector<std::string> found;
    for (const std::string& name : list_directory(input)) {
      const std::string path = input + "/" + name;
      if (std::regex_match(name, split_file_pattern())) {
        found.push_back(path);
      } else if (is_directory(path)) {
        for (const std::string& inner : list_directory(path)) {
          if (std::regex_match(inner, split_file_pattern())) found.push_back(path + "/" + inner);
        }
      }
    }
    NS_CHECK_AS(DataError, !found.empty(),
                "no Brain-to-Text '25 files (<session>/data_{train,val,test}.hdf5) under '", input,
                "'");
    files_.insert(files_.end(), found.begin(), found.end());
  }
  NS_CHECK_AS(DataError, !files_.empty(), "b2t25: no input files given");
  auto order = [](const std::string& f) {
    return std::make_pair(parent_name(f), static_cast<int>(split_of(f)));
  };
  std::stable_sort(files_.begin(), files_.end(),
                   [&](const auto& a, const auto& b) { return order(a) < order(b); });

  // ---- sessions and subjects from the directory names t15.YYYY.MM.DD
  CorpusIndex& index = content.index;
  index.source = "b2t25";
  index.bin_ms = 20.0;
  static const std::regex kSession("([A-Za-z0-9_-]+)\\.(\\d{4})\\.(\\d{2})\\.(\\d{2})");
  std::map<std::string, std::int32_t> session_ids, subject_ids;
  std::vector<std::int32_t> file_session;
  std::vector<std::int64_t> session_epoch_day;
  for (const std::string& file : files_) {
    std::smatch match;
    const std::string session_name = parent_name(file);
    NS_CHECK_AS(DataError, std::regex_match(session_name, match, kSession), "'", file,
                "' is not in a session directory named <participant>.YYYY.MM.DD (found '",
                session_name, "')");
    const std::string subject = match[1];
    if (!subject_ids.count(subject)) {
      subject_ids[subject] = static_cast<std::int32_t>(index.subjects.size());
      index.subjects.push_back(
          {subject, "human", 0, "256 threshold crossings + 256 spike-band power"});
    }
    if (!session_ids.count(session_name)) {
      const int y = std::stoi(match[2]), m = std::stoi(match[3]), d = std::stoi(match[4]);
      NS_CHECK_AS(DataError, m >= 1 && m <= 12 && d >= 1 && d <= 31, "'", file, "': session date '",
                  session_name, "' is not a valid date");
      session_ids[session_name] = static_cast<std::int32_t>(index.sessions.size());
      session_epoch_day.push_back(days_from_civil(y, m, d));
      index.sessions.push_back({subject_ids[subject], iso_date(y, m, d), 0, "attempted_speech"});
    }
    file_session.push_back(session_ids[session_name]);
  }
  assign_session_days(index, session_epoch_day);

  // ---- trials
  for (std::size_t f = 0; f < files_.size(); ++f) {
    const std::string& file = files_[f];
    const Split split = split_of(file);
    H5Id h5 = open_file(file, MPI_COMM_NULL);
    for (const std::string& name : list_links(h5.get())) {
      if (name.rfind("trial_", 0) != 0) continue;
      const std::string where = "'" + file + "', " + name;
      try {
        H5Id group = open_group(h5.get(), name);
        H5Id features = open_dataset(group.get(), "input_features");
        const auto dims = dataset_dims(features.get());
        NS_CHECK_AS(DataError, dims.size() == 2, "input_features has ", dims.size(),
                    " dimensions, expected 2 [T, channels]");
        {
          H5Id type(H5Dget_type(features.get()), H5Tclose, "get the type of input_features");
          const H5T_class_t kind = H5Tget_class(type.get());
          NS_CHECK_AS(DataError, kind == H5T_FLOAT || kind == H5T_INTEGER,
                      "input_features is not numeric (expected float32 values)");
        }
        NS_CHECK_AS(DataError, dims[0] > 0, "input_features is empty (0 time bins)");
        const std::int64_t steps = read_int_attribute(group.get(), "n_time_steps");
        NS_CHECK_AS(DataError, steps == static_cast<std::int64_t>(dims[0]),
                    "attribute n_time_steps = ", steps, " but input_features has ", dims[0],
                    " rows");
        SubjectInfo& subject = index.subjects[index.sessions[file_session[f]].subject];
        if (subject.n_channels == 0) subject.n_channels = static_cast<int>(dims[1]);
        NS_CHECK_AS(DataError, static_cast<hsize_t>(subject.n_channels) == dims[1],
                    "input_features has ", dims[1], " channels, but earlier trials of subject ",
                    subject.name, " have ", subject.n_channels);

        std::vector<std::uint8_t> labels;
        std::string text;
        if (link_exists(group.get(), "seq_class_ids")) {
          const auto ids = read_ints(group.get(), "seq_class_ids");
          const std::int64_t length = read_int_attribute(group.get(), "seq_len");
          NS_CHECK_AS(DataError, length >= 0 && length <= static_cast<std::int64_t>(ids.size()),
                      "attribute seq_len = ", length, " but seq_class_ids holds ", ids.size(),
                      " values");
          for (std::int64_t i = 0; i < length; ++i) {
            NS_CHECK_AS(DataError, ids[i] >= 1 && ids[i] < kPhonemeClasses, "seq_class_ids[", i,
                        "] = ", ids[i], " is not a phoneme id (1-", kPhonemeClasses - 1, ")");
            labels.push_back(static_cast<std::uint8_t>(ids[i]));
          }
        }
        if (has_attribute(group.get(), "sentence_label")) {
          text = read_string_attribute(group.get(), "sentence_label");
        } else if (link_exists(group.get(), "transcription")) {
          for (std::int64_t c : read_ints(group.get(), "transcription")) {
            if (c == 0) break;
            NS_CHECK_AS(DataError, c > 0 && c < 128, "transcription holds non-ASCII code ", c);
            text.push_back(static_cast<char>(c));
          }
        }
        const std::int32_t block =
            has_attribute(group.get(), "block_num")
                ? static_cast<std::int32_t>(read_int_attribute(group.get(), "block_num"))
                : 0;
        index.add_trial(file_session[f], split, static_cast<std::int32_t>(dims[0]),
                        static_cast<std::int32_t>(labels.size()),
                        static_cast<std::int32_t>(text.size()), block);
        content.phonemes.insert(content.phonemes.end(), labels.begin(), labels.end());
        content.text += text;
        trials_.push_back({f, name});
      } catch (const Error& e) {
        NS_THROW(DataError, where, ": ", e.what());
      }
    }
  }
  NS_CHECK_AS(DataError, !trials_.empty(), "no trial_NNNN groups in the b2t25 inputs");
}

std::vector<float> B2t25Source::read_features(std::size_t trial) {
  const TrialRef& ref = trials_.at(trial);
  H5Id h5 = open_file(files_[ref.file], MPI_COMM_NULL);
  H5Id group = open_group(h5.get(), ref.group);
  H5Id dataset = open_dataset(group.get(), "input_features");
  const auto dims = dataset_dims(dataset.get());
  std::vector<float> x(dims[0] * dims[1]);
  read_rows(dataset.get(), H5T_NATIVE_FLOAT, 0, dims[0], x.data());
  return x;
}

std::string B2t25Source::locate(std::size_t trial) const {
  const TrialRef& ref = trials_.at(trial);
  return "'" + files_[ref.file] + "', " + ref.group;
}

}  // namespace neuroscale::io
