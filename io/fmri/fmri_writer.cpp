#include "io/fmri/fmri_writer.h"

#include <unistd.h>

#include <cstdio>
#include <mutex>

#include "core/check.h"
#include "io/fmri/fmri_checks.h"
#include "io/fmri/fmri_reader.h"
#include "io/fs/files.h"
#include "io/hdf5/h5_file.h"
#include "neuroscale/build_config.h"

namespace neuroscale::io {
namespace {

using Lock = std::lock_guard<std::recursive_mutex>;
using namespace fmri_checks;

void check_link_name(const std::string& name, const std::string& what, const std::string& file) {
  NS_CHECK_AS(DataError, !name.empty() && name != "." && name.find('/') == std::string::npos,
              "fMRI corpus '", file, "': ", what, " name '", name,
              "' is not usable as an HDF5 group name (expected non-empty, no '/')");
}

}  // namespace

FmriWriter::FmriWriter(const std::string& path, double sample_rate, double tr_s,
                       std::int64_t voxels, const std::string& source, bool overwrite)
    : path_(path), voxels_(voxels) {
  NS_CHECK_AS(DataError, overwrite || !path_exists(path), "output '", path,
              "' already exists (pass --force to replace it)");
  NS_CHECK_AS(DataError, sample_rate > 0 && tr_s > 0 && voxels > 0, "fMRI corpus '", path,
              "': sample_rate=", sample_rate, ", tr_s=", tr_s, ", voxels=", voxels,
              " (expected all > 0)");
  temp_path_ = path + ".tmp." + std::to_string(static_cast<long>(getpid()));
  Lock lock(hdf5_mutex());
  file_ = create_file(temp_path_, MPI_COMM_NULL);
  const hid_t root = file_.get();
  write_attribute(root, "format", std::string(kFmriFormatName));
  write_attribute(root, "format_version", kFmriFormatVersion);
  write_attribute(root, "sample_rate", sample_rate);
  write_attribute(root, "tr_s", tr_s);
  write_attribute(root, "voxels", voxels);
  write_attribute(root, "source", source);
  write_attribute(root, "created_by", std::string("neuroscale ") + NEUROSCALE_VERSION);
  group_at("/stories");
  group_at("/participants");
}

FmriWriter::~FmriWriter() {
  if (committed_) return;
  Lock lock(hdf5_mutex());
  groups_.clear();
  file_.reset();
  if (!temp_path_.empty()) std::remove(temp_path_.c_str());
}

hid_t FmriWriter::group_at(const std::string& path) {
  for (const auto& [name, group] : groups_) {
    if (name == path) return group.get();
  }
  const auto slash = path.find_last_of('/');
  const std::string parent_path = path.substr(0, slash);
  const std::string name = path.substr(slash + 1);
  NS_ASSERT(!name.empty(), "empty group name in '", path, "'");
  const hid_t parent = parent_path.empty() ? file_.get() : group_at(parent_path);
  H5Id group = link_exists(parent, name) ? open_group(parent, name) : create_group(parent, name);
  groups_.emplace_back(path, std::move(group));
  return groups_.back().second.get();
}

void FmriWriter::add_story(const FmriStory& story, const at::Tensor& audio) {
  check_link_name(story.name, "story", path_);
  const std::string context = where(path_, "", story.name);
  NS_CHECK_AS(DataError,
              std::none_of(stories_.begin(), stories_.end(),
                           [&](const FmriStory& s) { return s.name == story.name; }),
              context, "the story is added twice");
  NS_CHECK_AS(DataError, is_one_of(story.split, std::begin(kFmriSplits), std::end(kFmriSplits)),
              context, "split is '", story.split, "' (expected train, val or test)");
  NS_CHECK_AS(DataError,
              audio.dim() == 1 && audio.size(0) > 0 &&
                  (story.samples == 0 || audio.size(0) == story.samples),
              context, "audio has shape ", shape_text(audio.sizes().vec()), " (expected [",
              story.samples, "])");
  check_tr_times(story.tr_times, context);
  const at::Tensor values = audio.to(at::kCPU, at::kFloat).contiguous();
  check_finite(values, context, "audio");

  Lock lock(hdf5_mutex());
  const hid_t group = group_at("/stories/" + story.name);
  write_attribute(group, "split", story.split);
  H5Id dataset =
      create_dataset(group, "audio", H5T_IEEE_F32LE, {static_cast<hsize_t>(values.numel())});
  write_rows(dataset.get(), H5T_NATIVE_FLOAT, 0, values.numel(), values.data_ptr<float>());
  write_array(group, "tr_times", story.tr_times);
  FmriStory added = story;
  added.samples = values.numel();
  stories_.push_back(std::move(added));
}

void FmriWriter::add_responses(const std::string& participant, const std::string& story,
                               const at::Tensor& responses, const at::Tensor& repeats,
                               const std::string& role) {
  check_link_name(participant, "participant", path_);
  const std::string context = where(path_, participant, story);
  const auto found = std::find_if(stories_.begin(), stories_.end(),
                                  [&](const FmriStory& s) { return s.name == story; });
  NS_CHECK_AS(DataError, found != stories_.end(), context,
              "responses to a story not added yet (add_story first)");
  NS_CHECK_AS(DataError, is_one_of(role, std::begin(kFmriRoles), std::end(kFmriRoles)), context,
              "role is '", role, "' (expected train or held_out)");
  const std::int64_t rows = found->rows();
  NS_CHECK_AS(DataError,
              responses.dim() == 2 && responses.size(0) == rows && responses.size(1) == voxels_,
              context, "responses have shape ", shape_text(responses.sizes().vec()), ", expected [",
              rows, ", ", voxels_, "] (rows = len(tr_times) of the story, V = the file's voxels)");
  const at::Tensor values = responses.to(at::kCPU, at::kFloat).contiguous();
  check_finite(values, context, "responses");
  at::Tensor repeat_values;
  if (repeats.defined()) {
    NS_CHECK_AS(DataError,
                repeats.dim() == 3 && repeats.size(0) > 0 && repeats.size(1) == rows &&
                    repeats.size(2) == voxels_,
                context, "repeats have shape ", shape_text(repeats.sizes().vec()),
                ", expected [R, ", rows, ", ", voxels_, "]");
    repeat_values = repeats.to(at::kCPU, at::kFloat).contiguous();
    check_finite(repeat_values, context, "repeats");
  }

  Lock lock(hdf5_mutex());
  const std::string participant_path = "/participants/" + participant;
  const bool is_new = !link_exists(group_at("/participants"), participant);
  const hid_t participant_group = group_at(participant_path);
  if (is_new) {
    write_attribute(participant_group, "role", role);
  } else {
    const std::string existing = read_string_attribute(participant_group, "role");
    NS_CHECK_AS(DataError, existing == role, context, "role '", role,
                "' differs from the participant's role '", existing, "'");
  }
  NS_CHECK_AS(DataError, !link_exists(participant_group, story), context,
              "responses are added twice");
  const hid_t group = group_at(participant_path + "/" + story);
  H5Id dataset = create_dataset(group, "responses", H5T_IEEE_F32LE,
                                {static_cast<hsize_t>(rows), static_cast<hsize_t>(voxels_)});
  write_rows(dataset.get(), H5T_NATIVE_FLOAT, 0, rows, values.data_ptr<float>());
  if (repeat_values.defined()) {
    H5Id repeat_set = create_dataset(group, "repeats", H5T_IEEE_F32LE,
                                     {static_cast<hsize_t>(repeat_values.size(0)),
                                      static_cast<hsize_t>(rows), static_cast<hsize_t>(voxels_)});
    write_rows(repeat_set.get(), H5T_NATIVE_FLOAT, 0, repeat_values.size(0),
               repeat_values.data_ptr<float>());
  }
  // Story groups of participants are not reused: close them to keep few handles open.
  groups_.erase(std::remove_if(groups_.begin(), groups_.end(),
                               [&](const auto& entry) {
                                 return entry.first == participant_path + "/" + story;
                               }),
                groups_.end());
}

void FmriWriter::add_dataset(const std::string& path, const at::Tensor& values) {
  NS_CHECK_AS(DataError,
              path.size() > 1 && path[0] == '/' && path.rfind("/stories", 0) != 0 &&
                  path.rfind("/participants", 0) != 0,
              "fMRI corpus '", path_, "': extra dataset '", path,
              "' must have an absolute path outside /stories and /participants");
  const at::Tensor data = values.to(at::kCPU, at::kFloat).contiguous();
  NS_CHECK_AS(DataError, data.dim() >= 1, "fMRI corpus '", path_, "': dataset '", path,
              "' must have a dimension");
  Lock lock(hdf5_mutex());
  const auto slash = path.find_last_of('/');
  const hid_t parent = slash == 0 ? file_.get() : group_at(path.substr(0, slash));
  std::vector<hsize_t> dims(data.sizes().begin(), data.sizes().end());
  H5Id dataset = create_dataset(parent, path.substr(slash + 1), H5T_IEEE_F32LE, dims);
  write_rows(dataset.get(), H5T_NATIVE_FLOAT, 0, dims[0], data.data_ptr<float>());
}

void FmriWriter::add_attribute(const std::string& path, const std::string& name,
                               const std::string& value) {
  Lock lock(hdf5_mutex());
  write_attribute(path == "/" ? file_.get() : group_at(path), name, value);
}

void FmriWriter::add_attribute(const std::string& path, const std::string& name, double value) {
  Lock lock(hdf5_mutex());
  write_attribute(path == "/" ? file_.get() : group_at(path), name, value);
}

void FmriWriter::commit() {
  {
    Lock lock(hdf5_mutex());
    groups_.clear();
    file_.close("close fMRI corpus '" + temp_path_ + "'");
  }
  FmriReader check(temp_path_);  // never rename an invalid file into place
  NS_CHECK_AS(DataError, std::rename(temp_path_.c_str(), path_.c_str()) == 0, "cannot rename '",
              temp_path_, "' to '", path_, "': ", std::strerror(errno));
  committed_ = true;
}

}  // namespace neuroscale::io
