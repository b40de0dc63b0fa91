#include "io/corpus/corpus_writer.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/check.h"
#include "core/half.h"
#include "io/fs/files.h"
#include "io/hdf5/h5_file.h"
#include "io/mpi/mpi_check.h"
#include "neuroscale/build_config.h"

namespace neuroscale::io {
namespace {

// Rows per chunk of a feature dataset: about 1 MiB per chunk, whole rows.
hsize_t chunk_rows(int channels) {
  return std::max<hsize_t>(16, (1u << 20) / (4u * static_cast<unsigned>(channels)));
}

}  // namespace

CorpusWriter::CorpusWriter(const std::string& path, MPI_Comm comm, const CorpusContent& content,
                           bool overwrite)
    : path_(path), comm_(comm), index_(content.index) {
  NS_MPI_CHECK(MPI_Comm_rank(comm, &rank_));
  index_.validate(path);
  NS_CHECK_AS(DataError, overwrite || !path_exists(path), "output '", path,
              "' already exists (pass --force to replace it)");
  // One temporary name for all ranks: rank 0's pid makes concurrent writers distinct.
  long pid = rank_ == 0 ? static_cast<long>(getpid()) : 0;
  NS_MPI_CHECK(MPI_Bcast(&pid, 1, MPI_LONG, 0, comm));
  temp_path_ = path + ".tmp." + std::to_string(pid);

  file_ = create_file(temp_path_, comm);
  const hid_t root = file_.get();
  const bool writer = rank_ == 0;
  write_attribute(root, "format", std::string(kCorpusFormatName));
  write_attribute(root, "format_version", kCorpusFormatVersion);
  write_attribute(root, "bin_ms", index_.bin_ms);
  write_attribute(root, "feature_dtype", index_.feature_dtype);
  write_attribute(root, "source", index_.source);
  write_attribute(root, "created_by", std::string("neuroscale ") + NEUROSCALE_VERSION);
  if (!content.provenance.empty()) write_attribute(root, "provenance", content.provenance);

  {
    H5Id group = create_group(root, "subjects");
    std::vector<std::string> names, species, layouts;
    std::vector<std::int32_t> channels;
    for (const auto& s : index_.subjects) {
      names.push_back(s.name);
      species.push_back(s.species);
      layouts.push_back(s.feature_layout);
      channels.push_back(s.n_channels);
    }
    write_strings(group.get(), "name", names, writer);
    write_strings(group.get(), "species", species, writer);
    write_strings(group.get(), "feature_layout", layouts, writer);
    write_array(group.get(), "n_channels", channels, writer);
  }
  {
    H5Id group = create_group(root, "sessions");
    std::vector<std::string> dates, tasks;
    std::vector<std::int32_t> subject, day;
    for (const auto& s : index_.sessions) {
      dates.push_back(s.date);
      tasks.push_back(s.task);
      subject.push_back(s.subject);
      day.push_back(s.day);
    }
    write_array(group.get(), "subject", subject, writer);
    write_strings(group.get(), "date", dates, writer);
    write_array(group.get(), "day", day, writer);
    write_strings(group.get(), "task", tasks, writer);
  }
  {
    H5Id group = create_group(root, "normalization");
    write_attribute(group.get(), "mode", index_.normalization);
    std::vector<std::int32_t> session, block;
    std::int64_t offset = 0;
    for (std::size_t g = 0; g < index_.norm_groups.size(); ++g) {
      session.push_back(index_.norm_groups[g].session);
      block.push_back(index_.norm_groups[g].block);
      norm_offset_.push_back(offset);
      offset += index_.norm_group_channels(g);
    }
    write_array(group.get(), "session", session, writer);
    write_array(group.get(), "block", block, writer);
    write_array(group.get(), "offset", norm_offset_, writer);
    const hsize_t total = static_cast<hsize_t>(offset);
    norm_mean_ = create_dataset(group.get(), "mean", H5T_IEEE_F32LE, {total});
    norm_std_ = create_dataset(group.get(), "std", H5T_IEEE_F32LE, {total});
  }
  {
    H5Id group = create_group(root, "trials");
    write_array(group.get(), "session", index_.trial_session, writer);
    write_array(group.get(), "split", index_.trial_split, writer);
    write_array(group.get(), "n_bins", index_.trial_bins, writer);
    write_array(group.get(), "row", index_.trial_row, writer);
    write_array(group.get(), "label_offset", index_.label_offset, writer);
    write_array(group.get(), "label_count", index_.label_count, writer);
    write_array(group.get(), "text_offset", index_.text_offset, writer);
    write_array(group.get(), "text_length", index_.text_length, writer);
    write_array(group.get(), "block", index_.trial_block, writer);
    write_array(group.get(), "norm_group", index_.trial_norm_group, writer);
  }
  {
    H5Id labels = create_group(root, "labels");
    write_array(labels.get(), "phonemes", content.phonemes, writer);
    H5Id text = create_group(root, "text");
    std::vector<std::uint8_t> bytes(content.text.begin(), content.text.end());
    write_array(text.get(), "utf8", bytes, writer);
  }

  half_type_ = make_float16_type();
  const hid_t feature_type = index_.feature_dtype == "float16" ? half_type_.get() : H5T_IEEE_F32LE;
  H5Id group = create_group(root, "features");
  for (std::size_t s = 0; s < index_.subjects.size(); ++s) {
    const auto& subject = index_.subjects[s];
    const hsize_t rows = static_cast<hsize_t>(index_.subject_rows(static_cast<std::int32_t>(s)));
    const hsize_t channels = static_cast<hsize_t>(subject.n_channels);
    features_.push_back(create_dataset(
        group.get(), subject.name, feature_type, {rows, channels},
        {std::max<hsize_t>(1, std::min(rows, chunk_rows(subject.n_channels))), channels}));
  }
}

CorpusWriter::~CorpusWriter() {
  if (committed_) return;
  // Not committed: an exception is unwinding. Closing a parallel file is collective; if
  // other ranks are alive and elsewhere, a close would wait forever. So with several ranks
  // the handles are dropped unclosed and the job's MPI_Abort ends every rank. The partial
  // file is unlinked by whichever rank gets here (others may still hold it open; POSIX
  // frees it when they end); the target path is untouched.
  int size = 1;
  MPI_Comm_size(comm_, &size);
  std::vector<H5Id*> handles = {&norm_mean_, &norm_std_, &half_type_, &file_};
  for (auto& dataset : features_) handles.push_back(&dataset);
  for (H5Id* handle : handles) {
    if (size > 1) {
      handle->release();
    } else {
      handle->reset();
    }
  }
  if (!temp_path_.empty()) std::remove(temp_path_.c_str());
}

void CorpusWriter::write_trial(std::size_t trial, const std::vector<float>& features) {
  NS_ASSERT(trial < index_.trial_count(), "trial ", trial, " out of range");
  const std::int32_t subject = index_.trial_subject(trial);
  const std::size_t expected = static_cast<std::size_t>(index_.trial_bins[trial]) *
                               static_cast<std::size_t>(index_.subjects[subject].n_channels);
  NS_CHECK_EQ(features.size(), expected, "features of trial ", trial);
  const auto first = static_cast<hsize_t>(index_.trial_row[trial]);
  const auto rows = static_cast<hsize_t>(index_.trial_bins[trial]);
  if (index_.feature_dtype == "float16") {  // convert here: HDF5's soft conversion is slow
    std::vector<std::uint16_t> bits(features.size());
    float_to_half(features.data(), bits.data(), bits.size());
    write_rows(features_[subject].get(), half_type_.get(), first, rows, bits.data());
  } else {
    write_rows(features_[subject].get(), H5T_NATIVE_FLOAT, first, rows, features.data());
  }
}

void CorpusWriter::write_norm_stats(std::size_t group, const std::vector<float>& mean,
                                    const std::vector<float>& std) {
  NS_ASSERT(group < index_.norm_groups.size(), "normalization group ", group, " out of range");
  const auto channels = static_cast<std::size_t>(index_.norm_group_channels(group));
  NS_CHECK_EQ(mean.size(), channels, "normalisation mean of group ", group);
  NS_CHECK_EQ(std.size(), channels, "normalisation std of group ", group);
  const auto offset = static_cast<hsize_t>(norm_offset_[group]);
  write_rows(norm_mean_.get(), H5T_NATIVE_FLOAT, offset, channels, mean.data());
  write_rows(norm_std_.get(), H5T_NATIVE_FLOAT, offset, channels, std.data());
}

void CorpusWriter::commit() {
  features_.clear();
  norm_mean_.reset();
  norm_std_.reset();
  file_.close("close corpus file '" + temp_path_ + "'");
  if (rank_ == 0) {
    NS_CHECK_AS(DataError, std::rename(temp_path_.c_str(), path_.c_str()) == 0, "cannot rename '",
                temp_path_, "' to '", path_, "': ", std::strerror(errno));
  }
  committed_ = true;
  NS_MPI_CHECK(MPI_Barrier(comm_));
}

}  // namespace neuroscale::io
