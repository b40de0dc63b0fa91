#include "io/fmri/fmri_reader.h"

#include <mutex>

#include "core/check.h"
#include "core/text.h"
#include "io/fmri/fmri_checks.h"
#include "io/hdf5/h5_file.h"

namespace neuroscale::io {
namespace {

using Lock = std::lock_guard<std::recursive_mutex>;
using namespace fmri_checks;

std::vector<std::int64_t> extents(const std::vector<hsize_t>& dims) {
  return {dims.begin(), dims.end()};
}

at::Tensor read_float_dataset(hid_t dataset) {
  const auto dims = dataset_dims(dataset);
  std::vector<std::int64_t> sizes(dims.begin(), dims.end());
  at::Tensor values = at::empty(sizes, at::kFloat);
  if (values.numel() > 0)
    read_rows(dataset, H5T_NATIVE_FLOAT, 0, dims[0], values.data_ptr<float>());
  return values;
}

}  // namespace

FmriReader::FmriReader(const std::string& path) {
  Lock lock(hdf5_mutex());
  index_.path = path;
  file_ = open_file(path, MPI_COMM_NULL);
  const hid_t root = file_.get();
  const std::string file_context = where(path, "", "");

  NS_CHECK_AS(DataError, has_attribute(root, "format"), file_context,
              "no 'format' attribute (expected '", kFmriFormatName, "'; not an fMRI corpus)");
  const std::string format = read_string_attribute(root, "format");
  NS_CHECK_AS(DataError, format == kFmriFormatName, file_context, "format is '", format,
              "', expected '", kFmriFormatName, "'");
  const std::int64_t version = read_int_attribute(root, "format_version");
  NS_CHECK_AS(DataError, version == kFmriFormatVersion, file_context, "format_version is ", version,
              ", this build reads version ", kFmriFormatVersion);
  index_.sample_rate = read_double_attribute(root, "sample_rate");
  index_.tr_s = read_double_attribute(root, "tr_s");
  index_.voxels = read_int_attribute(root, "voxels");
  index_.source = has_attribute(root, "source") ? read_string_attribute(root, "source") : "";
  NS_CHECK_AS(DataError, index_.sample_rate > 0 && index_.tr_s > 0 && index_.voxels > 0,
              file_context, "attributes sample_rate=", index_.sample_rate, ", tr_s=", index_.tr_s,
              ", voxels=", index_.voxels, " (expected all > 0)");

  H5Id stories = open_group(root, "stories");
  for (const std::string& name : list_links(stories.get())) {
    const std::string context = where(path, "", name);
    H5Id group = open_group(stories.get(), name);
    FmriStory story;
    story.name = name;
    NS_CHECK_AS(DataError, has_attribute(group.get(), "split"), context,
                "no 'split' attribute (expected one of ", "train, val, test)");
    story.split = read_string_attribute(group.get(), "split");
    NS_CHECK_AS(DataError, is_one_of(story.split, std::begin(kFmriSplits), std::end(kFmriSplits)),
                context, "split is '", story.split, "' (expected train, val or test)");
    H5Id audio = open_dataset(group.get(), "audio");
    const auto audio_dims = dataset_dims(audio.get());
    NS_CHECK_AS(DataError, audio_dims.size() == 1 && audio_dims[0] > 0, context,
                "dataset 'audio' has shape ", shape_text(extents(audio_dims)),
                " (expected [samples], samples > 0)");
    story.samples = static_cast<std::int64_t>(audio_dims[0]);
    H5Id times = open_dataset(group.get(), "tr_times");
    NS_CHECK_AS(DataError, dataset_dims(times.get()).size() == 1, context,
                "dataset 'tr_times' has shape ", shape_text(extents(dataset_dims(times.get()))),
                " (expected [rows])");
    story.tr_times = read_array<double>(group.get(), "tr_times");
    check_tr_times(story.tr_times, context);
    index_.stories.push_back(std::move(story));
  }

  H5Id participants = open_group(root, "participants");
  for (const std::string& name : list_links(participants.get())) {
    H5Id group = open_group(participants.get(), name);
    FmriParticipant participant;
    participant.name = name;
    if (has_attribute(group.get(), "role"))
      participant.role = read_string_attribute(group.get(), "role");
    NS_CHECK_AS(
        DataError, is_one_of(participant.role, std::begin(kFmriRoles), std::end(kFmriRoles)),
        where(path, name, ""), "role is '", participant.role, "' (expected train or held_out)");
    for (const std::string& story_name : list_links(group.get())) {
      const std::string context = where(path, name, story_name);
      const bool known = std::any_of(index_.stories.begin(), index_.stories.end(),
                                     [&](const FmriStory& s) { return s.name == story_name; });
      NS_CHECK_AS(DataError, known, context,
                  "responses to a story missing from /stories (stories: ",
                  known_names(index_.stories), ")");
      const FmriStory& story = index_.story(story_name);
      const auto rows = static_cast<hsize_t>(story.rows());
      const auto voxels = static_cast<hsize_t>(index_.voxels);
      H5Id story_group = open_group(group.get(), story_name);
      H5Id responses = open_dataset(story_group.get(), "responses");
      const auto dims = dataset_dims(responses.get());
      NS_CHECK_AS(DataError, dims == std::vector<hsize_t>({rows, voxels}), context,
                  "dataset 'responses' has shape ", shape_text(extents(dims)), ", expected ",
                  shape_text(extents({rows, voxels})),
                  " (rows = len(tr_times) of the story, V = the file's 'voxels')");
      participant.stories.push_back(story_name);
      if (link_exists(story_group.get(), "repeats")) {
        H5Id repeats = open_dataset(story_group.get(), "repeats");
        const auto repeat_dims = dataset_dims(repeats.get());
        NS_CHECK_AS(DataError,
                    repeat_dims.size() == 3 && repeat_dims[0] > 0 && repeat_dims[1] == rows &&
                        repeat_dims[2] == voxels,
                    context, "dataset 'repeats' has shape ", shape_text(extents(repeat_dims)),
                    ", expected [R, ", rows, ", ", voxels, "] with R >= 1");
        participant.repeat_stories.push_back(story_name);
      }
    }
    NS_CHECK_AS(DataError, !participant.stories.empty(), where(path, name, ""),
                "no responses to any story");
    index_.participants.push_back(std::move(participant));
  }
  NS_CHECK_AS(DataError, !index_.participants.empty(), file_context,
              "no participants (expected responses of at ",
              "least one participant under /participants)");
}

at::Tensor FmriReader::audio(const std::string& story) const {
  index_.story(story);  // names the known stories when missing
  Lock lock(hdf5_mutex());
  H5Id group = open_group(file_.get(), "stories/" + story);
  H5Id dataset = open_dataset(group.get(), "audio");
  at::Tensor values = read_float_dataset(dataset.get());
  check_finite(values, where(index_.path, "", story), "audio");
  return values;
}

bool FmriReader::has_responses(const std::string& participant, const std::string& story) const {
  return index_.participant(participant).has_story(story);
}

at::Tensor FmriReader::responses(const std::string& participant, const std::string& story) const {
  const std::string context = where(index_.path, participant, story);
  NS_CHECK_AS(DataError, has_responses(participant, story), context,
              "no responses (stories of this participant: ",
              join(index_.participant(participant).stories, ", "), ")");
  Lock lock(hdf5_mutex());
  H5Id group = open_group(file_.get(), "participants/" + participant + "/" + story);
  H5Id dataset = open_dataset(group.get(), "responses");
  at::Tensor values = read_float_dataset(dataset.get());
  check_finite(values, context, "responses");
  return values;
}

at::Tensor FmriReader::repeats(const std::string& participant, const std::string& story) const {
  if (!index_.participant(participant).has_repeats(story)) return {};
  Lock lock(hdf5_mutex());
  H5Id group = open_group(file_.get(), "participants/" + participant + "/" + story);
  H5Id dataset = open_dataset(group.get(), "repeats");
  at::Tensor values = read_float_dataset(dataset.get());
  check_finite(values, where(index_.path, participant, story), "repeats");
  return values;
}

bool FmriReader::has_dataset(const std::string& path) const {
  Lock lock(hdf5_mutex());
  // H5Lexists needs every intermediate link to exist: walk the path.
  hid_t root = file_.get();
  std::string partial;
  std::istringstream parts(path);
  for (std::string part; std::getline(parts, part, '/');) {
    if (part.empty()) continue;
    partial += "/" + part;
    if (!link_exists(root, partial)) return false;
  }
  return !partial.empty();
}

at::Tensor FmriReader::dataset(const std::string& path) const {
  NS_CHECK_AS(DataError, has_dataset(path), "fMRI corpus '", index_.path, "' has no dataset '",
              path, "'");
  Lock lock(hdf5_mutex());
  H5Id dataset = open_dataset(file_.get(), path);
  return read_float_dataset(dataset.get());
}

std::string FmriReader::ground_truth_features_path(const std::string& story) {
  return "/ground_truth/stories/" + story + "/features";
}

at::Tensor FmriReader::ground_truth_features(const std::string& story) const {
  const std::string path = ground_truth_features_path(story);
  if (!has_dataset(path)) return {};
  auto values = dataset(path);
  NS_CHECK_AS(DataError, values.dim() == 2 && values.size(0) == index_.story(story).rows(),
              "fMRI corpus '", index_.path, "': ", path,
              " must be [rows of the story, features], is ", values.sizes());
  return values;
}

}  // namespace neuroscale::io
