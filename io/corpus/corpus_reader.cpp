#include "io/corpus/corpus_reader.h"

#include "core/check.h"
#include "core/half.h"
#include "io/hdf5/h5_file.h"

namespace neuroscale::io {

CorpusReader::CorpusReader(const std::string& path, MPI_Comm comm) : path_(path) {
  std::lock_guard<std::recursive_mutex> lock(hdf5_mutex());
  file_ = open_file(path, comm);
  const hid_t root = file_.get();
  NS_CHECK_AS(
      DataError,
      has_attribute(root, "format") && read_string_attribute(root, "format") == kCorpusFormatName,
      "'", path, "' is an HDF5 file but not a neuroscale corpus (attribute 'format' is not '",
      kCorpusFormatName, "')");
  const std::int64_t version = read_int_attribute(root, "format_version");
  NS_CHECK_AS(DataError, version == kCorpusFormatVersion, "'", path, "' has corpus format version ",
              version, "; this build reads version ", kCorpusFormatVersion,
              " (convert it with the neuroscale that wrote it, or upgrade)");
  index_.bin_ms = read_double_attribute(root, "bin_ms");
  index_.feature_dtype = read_string_attribute(root, "feature_dtype");
  index_.source = read_string_attribute(root, "source");

  {
    H5Id group = open_group(root, "subjects");
    auto names = read_strings(group.get(), "name");
    auto species = read_strings(group.get(), "species");
    auto layouts = read_strings(group.get(), "feature_layout");
    auto channels = read_array<std::int32_t>(group.get(), "n_channels");
    NS_CHECK_AS(DataError,
                species.size() == names.size() && layouts.size() == names.size() &&
                    channels.size() == names.size(),
                "'", path, "': /subjects columns have different lengths");
    for (std::size_t i = 0; i < names.size(); ++i) {
      index_.subjects.push_back({names[i], species[i], channels[i], layouts[i]});
    }
  }
  {
    H5Id group = open_group(root, "sessions");
    auto subject = read_array<std::int32_t>(group.get(), "subject");
    auto dates = read_strings(group.get(), "date");
    auto day = read_array<std::int32_t>(group.get(), "day");
    auto tasks = read_strings(group.get(), "task");
    NS_CHECK_AS(DataError,
                dates.size() == subject.size() && day.size() == subject.size() &&
                    tasks.size() == subject.size(),
                "'", path, "': /sessions columns have different lengths");
    for (std::size_t i = 0; i < subject.size(); ++i) {
      index_.sessions.push_back({subject[i], dates[i], day[i], tasks[i]});
    }
  }
  {
    H5Id group = open_group(root, "normalization");
    index_.normalization = read_string_attribute(group.get(), "mode");
    auto session = read_array<std::int32_t>(group.get(), "session");
    auto block = read_array<std::int32_t>(group.get(), "block");
    norm_offset_ = read_array<std::int64_t>(group.get(), "offset");
    NS_CHECK_AS(DataError, block.size() == session.size() && norm_offset_.size() == session.size(),
                "'", path, "': /normalization columns have different lengths");
    for (std::size_t g = 0; g < session.size(); ++g)
      index_.norm_groups.push_back({session[g], block[g]});
    norm_mean_ = open_dataset(group.get(), "mean");
    norm_std_ = open_dataset(group.get(), "std");
  }
  {
    H5Id group = open_group(root, "trials");
    index_.trial_session = read_array<std::int32_t>(group.get(), "session");
    index_.trial_split = read_array<std::int8_t>(group.get(), "split");
    index_.trial_bins = read_array<std::int32_t>(group.get(), "n_bins");
    index_.trial_row = read_array<std::int64_t>(group.get(), "row");
    index_.label_offset = read_array<std::int64_t>(group.get(), "label_offset");
    index_.label_count = read_array<std::int32_t>(group.get(), "label_count");
    index_.text_offset = read_array<std::int64_t>(group.get(), "text_offset");
    index_.text_length = read_array<std::int32_t>(group.get(), "text_length");
    index_.trial_block = read_array<std::int32_t>(group.get(), "block");
    index_.trial_norm_group = read_array<std::int32_t>(group.get(), "norm_group");
  }
  index_.validate(path);

  H5Id labels = open_group(root, "labels");
  labels_ = open_dataset(labels.get(), "phonemes");
  H5Id text = open_group(root, "text");
  text_ = open_dataset(text.get(), "utf8");
  if (index_.feature_dtype == "float16") half_type_ = make_float16_type();
  H5Id features = open_group(root, "features");
  for (std::size_t s = 0; s < index_.subjects.size(); ++s) {
    const auto& subject = index_.subjects[s];
    features_.push_back(open_dataset(features.get(), subject.name));
    auto dims = dataset_dims(features_.back().get());
    const auto rows = index_.subject_rows(static_cast<std::int32_t>(s));
    NS_CHECK_AS(DataError,
                dims.size() == 2 && dims[0] == static_cast<hsize_t>(rows) &&
                    dims[1] == static_cast<hsize_t>(subject.n_channels),
                "'", path, "': /features/", subject.name, " should be [", rows, ", ",
                subject.n_channels, "]");
  }
}

std::vector<float> CorpusReader::read_trial(std::size_t trial) const {
  std::lock_guard<std::recursive_mutex> lock(hdf5_mutex());
  NS_CHECK_AS(DataError, trial < index_.trial_count(), "'", path_, "': trial ", trial,
              " does not exist (", index_.trial_count(), " trials)");
  const std::int32_t subject = index_.trial_subject(trial);
  std::vector<float> out(static_cast<std::size_t>(index_.trial_bins[trial]) *
                         static_cast<std::size_t>(index_.subjects[subject].n_channels));
  const auto first = static_cast<hsize_t>(index_.trial_row[trial]);
  const auto rows = static_cast<hsize_t>(index_.trial_bins[trial]);
  if (half_type_.valid()) {  // read the stored bits and convert here (HDF5's conversion is slow)
    std::vector<std::uint16_t> bits(out.size());
    read_rows(features_[subject].get(), half_type_.get(), first, rows, bits.data());
    half_to_float(bits.data(), out.data(), out.size());
  } else {
    read_rows(features_[subject].get(), H5T_NATIVE_FLOAT, first, rows, out.data());
  }
  return out;
}

std::vector<std::uint8_t> CorpusReader::read_labels(std::size_t trial) const {
  std::lock_guard<std::recursive_mutex> lock(hdf5_mutex());
  std::vector<std::uint8_t> out(static_cast<std::size_t>(index_.label_count.at(trial)));
  read_rows(labels_.get(), H5T_NATIVE_UINT8, static_cast<hsize_t>(index_.label_offset[trial]),
            out.size(), out.data());
  return out;
}

std::string CorpusReader::read_text(std::size_t trial) const {
  std::lock_guard<std::recursive_mutex> lock(hdf5_mutex());
  std::string out(static_cast<std::size_t>(index_.text_length.at(trial)), '\0');
  read_rows(text_.get(), H5T_NATIVE_UINT8, static_cast<hsize_t>(index_.text_offset[trial]),
            out.size(), out.data());
  return out;
}

void CorpusReader::read_norm_stats(std::size_t group, std::vector<float>& mean,
                                   std::vector<float>& std) const {
  std::lock_guard<std::recursive_mutex> lock(hdf5_mutex());
  NS_CHECK_AS(DataError, group < index_.norm_groups.size(), "'", path_, "': normalization group ",
              group, " does not exist");
  const auto channels = static_cast<std::size_t>(index_.norm_group_channels(group));
  mean.resize(channels);
  std.resize(channels);
  const auto offset = static_cast<hsize_t>(norm_offset_[group]);
  read_rows(norm_mean_.get(), H5T_NATIVE_FLOAT, offset, channels, mean.data());
  read_rows(norm_std_.get(), H5T_NATIVE_FLOAT, offset, channels, std.data());
}

}  // namespace neuroscale::io
