#include "io/fmri/fmri_corpus.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <sstream>

#include "core/check.h"
#include "core/text.h"
#include "io/fs/files.h"
#include "io/hdf5/h5_file.h"
#include "neuroscale/build_config.h"

namespace neuroscale::io {
namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

std::vector<std::int64_t> extents(const std::vector<hsize_t>& dims) {
  return {dims.begin(), dims.end()};
}

template <class Known>
std::string known_names(const Known& items) {
  std::vector<std::string> names;
  for (const auto& item : items) names.push_back(item.name);
  return names.empty() ? "none" : join(names, ", ");
}

bool is_one_of(const std::string& value, const char* const* begin, const char* const* end) {
  return std::find_if(begin, end, [&](const char* v) { return value == v; }) != end;
}

// Where a check failed: "fMRI corpus 'f.h5': participant 'P01', story 's': ".
std::string where(const std::string& file, const std::string& participant, const std::string& story) {
  std::string text = "fMRI corpus '" + file + "'";
  std::string sep = ": ";
  if (!participant.empty()) text += sep + "participant '" + participant + "'", sep = ", ";
  if (!story.empty()) text += sep + "story '" + story + "'";
  return text + ": ";
}

void check_tr_times(const std::vector<double>& times, const std::string& context) {
  NS_CHECK_AS(DataError, !times.empty(), context, "dataset 'tr_times' is empty (expected one time per response row)");
  for (std::size_t i = 0; i < times.size(); ++i) {
    NS_CHECK_AS(DataError, std::isfinite(times[i]), context, "dataset 'tr_times' holds ", times[i], " at row ", i,
                " (expected finite seconds)");
    NS_CHECK_AS(DataError, i == 0 || times[i] > times[i - 1], context, "dataset 'tr_times' is not increasing at row ",
                i, " (", times[i - 1], " then ", times[i], " s)");
  }
}

void check_finite(const at::Tensor& values, const std::string& context, const std::string& dataset) {
  const at::Tensor bad = at::logical_not(at::isfinite(values));
  if (!bad.any().item<bool>()) return;
  const at::Tensor first = bad.nonzero()[0];
  std::vector<std::int64_t> position(first.data_ptr<std::int64_t>(), first.data_ptr<std::int64_t>() + first.numel());
  std::ostringstream at_text;
  for (std::size_t i = 0; i < position.size(); ++i) at_text << (i ? ", " : "") << position[i];
  NS_THROW(DataError, context, "dataset '", dataset, "' holds ", bad.sum().item<std::int64_t>(),
           " non-finite value(s), the first at [", at_text.str(), "] (expected finite values; NaN must be replaced "
           "before writing)");
}

at::Tensor read_float_dataset(hid_t dataset) {
  const auto dims = dataset_dims(dataset);
  std::vector<std::int64_t> sizes(dims.begin(), dims.end());
  at::Tensor values = at::empty(sizes, at::kFloat);
  if (values.numel() > 0) read_rows(dataset, H5T_NATIVE_FLOAT, 0, dims[0], values.data_ptr<float>());
  return values;
}

void check_link_name(const std::string& name, const std::string& what, const std::string& file) {
  NS_CHECK_AS(DataError, !name.empty() && name != "." && name.find('/') == std::string::npos, "fMRI corpus '", file,
              "': ", what, " name '", name, "' is not usable as an HDF5 group name (expected non-empty, no '/')");
}

}  // namespace

// ---------------------------------------------------------------------------- index

bool FmriParticipant::has_story(const std::string& story) const {
  return std::find(stories.begin(), stories.end(), story) != stories.end();
}

bool FmriParticipant::has_repeats(const std::string& story) const {
  return std::find(repeat_stories.begin(), repeat_stories.end(), story) != repeat_stories.end();
}

const FmriStory& FmriIndex::story(const std::string& name) const {
  for (const auto& s : stories) {
    if (s.name == name) return s;
  }
  NS_THROW(DataError, "fMRI corpus '", path, "' has no story '", name, "' (stories: ", known_names(stories), ")");
}

const FmriParticipant& FmriIndex::participant(const std::string& name) const {
  for (const auto& p : participants) {
    if (p.name == name) return p;
  }
  NS_THROW(DataError, "fMRI corpus '", path, "' has no participant '", name, "' (participants: ",
           known_names(participants), ")");
}

std::vector<std::string> FmriIndex::stories_in_split(const std::string& split) const {
  std::vector<std::string> names;
  for (const auto& s : stories) {
    if (s.split == split) names.push_back(s.name);
  }
  return names;
}

std::vector<std::string> FmriIndex::participants_with_role(const std::string& role) const {
  std::vector<std::string> names;
  for (const auto& p : participants) {
    if (p.role == role) names.push_back(p.name);
  }
  return names;
}

std::string summarize(const FmriIndex& index) {
  std::ostringstream out;
  double seconds = 0;
  std::int64_t rows = 0;
  for (const auto& s : index.stories) {
    seconds += static_cast<double>(s.samples) / index.sample_rate;
    rows += s.rows();
  }
  out << "fMRI corpus '" << index.path << "': " << index.voxels << " voxels, TR " << index.tr_s << " s, audio at "
      << index.sample_rate << " Hz\n";
  out << "  source: " << index.source << "\n";
  out << "  stories: " << index.stories.size() << " (train " << index.stories_in_split("train").size() << ", val "
      << index.stories_in_split("val").size() << ", test " << index.stories_in_split("test").size() << "), "
      << format_duration(seconds) << " of audio, " << rows << " response rows\n";
  for (const char* split : {"val", "test"}) {
    const auto names = index.stories_in_split(split);
    if (!names.empty()) out << "  " << split << ": " << join(names, ", ") << "\n";
  }
  out << "  participants:";
  for (const auto& p : index.participants) {
    out << " " << p.name << " (" << p.role << ", " << p.stories.size() << " stories"
        << (p.repeat_stories.empty() ? "" : ", repeats") << ")";
  }
  out << "\n";
  return out.str();
}

// ---------------------------------------------------------------------------- reader

FmriReader::FmriReader(const std::string& path) {
  Lock lock(hdf5_mutex());
  index_.path = path;
  file_ = open_file(path, MPI_COMM_NULL);
  const hid_t root = file_.get();
  const std::string file_context = where(path, "", "");

  NS_CHECK_AS(DataError, has_attribute(root, "format"), file_context,
              "no 'format' attribute (expected '", kFmriFormatName, "'; not an fMRI corpus)");
  const std::string format = read_string_attribute(root, "format");
  NS_CHECK_AS(DataError, format == kFmriFormatName, file_context, "format is '", format, "', expected '",
              kFmriFormatName, "'");
  const std::int64_t version = read_int_attribute(root, "format_version");
  NS_CHECK_AS(DataError, version == kFmriFormatVersion, file_context, "format_version is ", version,
              ", this build reads version ", kFmriFormatVersion);
  index_.sample_rate = read_double_attribute(root, "sample_rate");
  index_.tr_s = read_double_attribute(root, "tr_s");
  index_.voxels = read_int_attribute(root, "voxels");
  index_.source = has_attribute(root, "source") ? read_string_attribute(root, "source") : "";
  NS_CHECK_AS(DataError, index_.sample_rate > 0 && index_.tr_s > 0 && index_.voxels > 0, file_context,
              "attributes sample_rate=", index_.sample_rate, ", tr_s=", index_.tr_s, ", voxels=", index_.voxels,
              " (expected all > 0)");

  H5Id stories = open_group(root, "stories");
  for (const std::string& name : list_links(stories.get())) {
    const std::string context = where(path, "", name);
    H5Id group = open_group(stories.get(), name);
    FmriStory story;
    story.name = name;
    NS_CHECK_AS(DataError, has_attribute(group.get(), "split"), context, "no 'split' attribute (expected one of ",
                "train, val, test)");
    story.split = read_string_attribute(group.get(), "split");
    NS_CHECK_AS(DataError, is_one_of(story.split, std::begin(kFmriSplits), std::end(kFmriSplits)), context,
                "split is '", story.split, "' (expected train, val or test)");
    H5Id audio = open_dataset(group.get(), "audio");
    const auto audio_dims = dataset_dims(audio.get());
    NS_CHECK_AS(DataError, audio_dims.size() == 1 && audio_dims[0] > 0, context, "dataset 'audio' has shape ",
                shape_text(extents(audio_dims)), " (expected [samples], samples > 0)");
    story.samples = static_cast<std::int64_t>(audio_dims[0]);
    H5Id times = open_dataset(group.get(), "tr_times");
    NS_CHECK_AS(DataError, dataset_dims(times.get()).size() == 1, context, "dataset 'tr_times' has shape ",
                shape_text(extents(dataset_dims(times.get()))), " (expected [rows])");
    story.tr_times = read_array<double>(group.get(), "tr_times");
    check_tr_times(story.tr_times, context);
    index_.stories.push_back(std::move(story));
  }

  H5Id participants = open_group(root, "participants");
  for (const std::string& name : list_links(participants.get())) {
    H5Id group = open_group(participants.get(), name);
    FmriParticipant participant;
    participant.name = name;
    if (has_attribute(group.get(), "role")) participant.role = read_string_attribute(group.get(), "role");
    NS_CHECK_AS(DataError, is_one_of(participant.role, std::begin(kFmriRoles), std::end(kFmriRoles)),
                where(path, name, ""), "role is '", participant.role, "' (expected train or held_out)");
    for (const std::string& story_name : list_links(group.get())) {
      const std::string context = where(path, name, story_name);
      const bool known = std::any_of(index_.stories.begin(), index_.stories.end(),
                                     [&](const FmriStory& s) { return s.name == story_name; });
      NS_CHECK_AS(DataError, known, context, "responses to a story missing from /stories (stories: ",
                  known_names(index_.stories), ")");
      const FmriStory& story = index_.story(story_name);
      const auto rows = static_cast<hsize_t>(story.rows());
      const auto voxels = static_cast<hsize_t>(index_.voxels);
      H5Id story_group = open_group(group.get(), story_name);
      H5Id responses = open_dataset(story_group.get(), "responses");
      const auto dims = dataset_dims(responses.get());
      NS_CHECK_AS(DataError, dims == std::vector<hsize_t>({rows, voxels}), context, "dataset 'responses' has shape ",
                  shape_text(extents(dims)), ", expected ", shape_text(extents({rows, voxels})),
                  " (rows = len(tr_times) of the story, V = the file's 'voxels')");
      participant.stories.push_back(story_name);
      if (link_exists(story_group.get(), "repeats")) {
        H5Id repeats = open_dataset(story_group.get(), "repeats");
        const auto repeat_dims = dataset_dims(repeats.get());
        NS_CHECK_AS(DataError,
                    repeat_dims.size() == 3 && repeat_dims[0] > 0 && repeat_dims[1] == rows && repeat_dims[2] == voxels,
                    context, "dataset 'repeats' has shape ", shape_text(extents(repeat_dims)), ", expected [R, ", rows, ", ",
                    voxels, "] with R >= 1");
        participant.repeat_stories.push_back(story_name);
      }
    }
    NS_CHECK_AS(DataError, !participant.stories.empty(), where(path, name, ""), "no responses to any story");
    index_.participants.push_back(std::move(participant));
  }
  NS_CHECK_AS(DataError, !index_.participants.empty(), file_context, "no participants (expected responses of at ",
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
  NS_CHECK_AS(DataError, has_responses(participant, story), context, "no responses (stories of this participant: ",
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
  NS_CHECK_AS(DataError, has_dataset(path), "fMRI corpus '", index_.path, "' has no dataset '", path, "'");
  Lock lock(hdf5_mutex());
  H5Id dataset = open_dataset(file_.get(), path);
  return read_float_dataset(dataset.get());
}

// ---------------------------------------------------------------------------- writer

FmriWriter::FmriWriter(const std::string& path, double sample_rate, double tr_s, std::int64_t voxels,
                       const std::string& source, bool overwrite)
    : path_(path), voxels_(voxels) {
  NS_CHECK_AS(DataError, overwrite || !path_exists(path), "output '", path,
              "' already exists (pass --force to replace it)");
  NS_CHECK_AS(DataError, sample_rate > 0 && tr_s > 0 && voxels > 0, "fMRI corpus '", path, "': sample_rate=",
              sample_rate, ", tr_s=", tr_s, ", voxels=", voxels, " (expected all > 0)");
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
              std::none_of(stories_.begin(), stories_.end(), [&](const FmriStory& s) { return s.name == story.name; }),
              context, "the story is added twice");
  NS_CHECK_AS(DataError, is_one_of(story.split, std::begin(kFmriSplits), std::end(kFmriSplits)), context,
              "split is '", story.split, "' (expected train, val or test)");
  NS_CHECK_AS(DataError, audio.dim() == 1 && audio.size(0) > 0 && (story.samples == 0 || audio.size(0) == story.samples),
              context, "audio has shape ", shape_text(audio.sizes().vec()), " (expected [", story.samples, "])");
  check_tr_times(story.tr_times, context);
  const at::Tensor values = audio.to(at::kCPU, at::kFloat).contiguous();
  check_finite(values, context, "audio");

  Lock lock(hdf5_mutex());
  const hid_t group = group_at("/stories/" + story.name);
  write_attribute(group, "split", story.split);
  H5Id dataset = create_dataset(group, "audio", H5T_IEEE_F32LE, {static_cast<hsize_t>(values.numel())});
  write_rows(dataset.get(), H5T_NATIVE_FLOAT, 0, values.numel(), values.data_ptr<float>());
  write_array(group, "tr_times", story.tr_times);
  FmriStory added = story;
  added.samples = values.numel();
  stories_.push_back(std::move(added));
}

void FmriWriter::add_responses(const std::string& participant, const std::string& story, const at::Tensor& responses,
                               const at::Tensor& repeats, const std::string& role) {
  check_link_name(participant, "participant", path_);
  const std::string context = where(path_, participant, story);
  const auto found =
      std::find_if(stories_.begin(), stories_.end(), [&](const FmriStory& s) { return s.name == story; });
  NS_CHECK_AS(DataError, found != stories_.end(), context, "responses to a story not added yet (add_story first)");
  NS_CHECK_AS(DataError, is_one_of(role, std::begin(kFmriRoles), std::end(kFmriRoles)), context, "role is '", role,
              "' (expected train or held_out)");
  const std::int64_t rows = found->rows();
  NS_CHECK_AS(DataError, responses.dim() == 2 && responses.size(0) == rows && responses.size(1) == voxels_, context,
              "responses have shape ", shape_text(responses.sizes().vec()), ", expected [", rows, ", ", voxels_,
              "] (rows = len(tr_times) of the story, V = the file's voxels)");
  const at::Tensor values = responses.to(at::kCPU, at::kFloat).contiguous();
  check_finite(values, context, "responses");
  at::Tensor repeat_values;
  if (repeats.defined()) {
    NS_CHECK_AS(DataError,
                repeats.dim() == 3 && repeats.size(0) > 0 && repeats.size(1) == rows && repeats.size(2) == voxels_,
                context, "repeats have shape ", shape_text(repeats.sizes().vec()), ", expected [R, ", rows, ", ", voxels_, "]");
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
    NS_CHECK_AS(DataError, existing == role, context, "role '", role, "' differs from the participant's role '",
                existing, "'");
  }
  NS_CHECK_AS(DataError, !link_exists(participant_group, story), context, "responses are added twice");
  const hid_t group = group_at(participant_path + "/" + story);
  H5Id dataset = create_dataset(group, "responses", H5T_IEEE_F32LE,
                                {static_cast<hsize_t>(rows), static_cast<hsize_t>(voxels_)});
  write_rows(dataset.get(), H5T_NATIVE_FLOAT, 0, rows, values.data_ptr<float>());
  if (repeat_values.defined()) {
    H5Id repeat_set = create_dataset(group, "repeats", H5T_IEEE_F32LE,
                                     {static_cast<hsize_t>(repeat_values.size(0)), static_cast<hsize_t>(rows),
                                      static_cast<hsize_t>(voxels_)});
    write_rows(repeat_set.get(), H5T_NATIVE_FLOAT, 0, repeat_values.size(0), repeat_values.data_ptr<float>());
  }
  // Story groups of participants are not reused: close them to keep few handles open.
  groups_.erase(std::remove_if(groups_.begin(), groups_.end(),
                               [&](const auto& entry) { return entry.first == participant_path + "/" + story; }),
                groups_.end());
}

void FmriWriter::add_dataset(const std::string& path, const at::Tensor& values) {
  NS_CHECK_AS(DataError, path.size() > 1 && path[0] == '/' && path.rfind("/stories", 0) != 0 &&
                             path.rfind("/participants", 0) != 0,
              "fMRI corpus '", path_, "': extra dataset '", path,
              "' must have an absolute path outside /stories and /participants");
  const at::Tensor data = values.to(at::kCPU, at::kFloat).contiguous();
  NS_CHECK_AS(DataError, data.dim() >= 1, "fMRI corpus '", path_, "': dataset '", path, "' must have a dimension");
  Lock lock(hdf5_mutex());
  const auto slash = path.find_last_of('/');
  const hid_t parent = slash == 0 ? file_.get() : group_at(path.substr(0, slash));
  std::vector<hsize_t> dims(data.sizes().begin(), data.sizes().end());
  H5Id dataset = create_dataset(parent, path.substr(slash + 1), H5T_IEEE_F32LE, dims);
  write_rows(dataset.get(), H5T_NATIVE_FLOAT, 0, dims[0], data.data_ptr<float>());
}

void FmriWriter::add_attribute(const std::string& path, const std::string& name, const std::string& value) {
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
  NS_CHECK_AS(DataError, std::rename(temp_path_.c_str(), path_.c_str()) == 0, "cannot rename '", temp_path_, "' to '",
              path_, "': ", std::strerror(errno));
  committed_ = true;
}

}  // namespace neuroscale::io
