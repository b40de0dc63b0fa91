#include "io/ingest/lebel_source.h"

#include <yaml-cpp/yaml.h>

#include <sys/stat.h>
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/check.h"
#include "core/text.h"
#include "io/audio/audio_file.h"
#include "io/fmri/fmri_writer.h"
#include "io/hdf5/h5_file.h"
#include "io/ingest/source_files.h"

namespace neuroscale::io {
namespace {

struct Layout {
  std::string root, derivative;
};

Layout locate(const std::string& input) {
  std::string path = input;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (is_directory(path + "/derivative")) return {path, path + "/derivative"};
  if (is_regular_file(path + "/respdict.json")) {
    const auto slash = path.find_last_of('/');
    return {slash == std::string::npos ? "." : path.substr(0, slash), path};
  }
  NS_THROW(DataError, "'", input,
           "' is neither a ds003020 root (no 'derivative' folder) nor its 'derivative' ",
           "folder (no 'respdict.json')");
}

std::map<std::string, std::int64_t> read_respdict(const std::string& path) {
  NS_CHECK_AS(DataError, is_regular_file(path), "missing '", path,
              "' (TRs per story; part of the ds003020 derivative)");
  std::map<std::string, std::int64_t> trs;
  try {
    const YAML::Node root = YAML::LoadFile(path);  // JSON is YAML
    NS_CHECK_AS(DataError, root.IsMap(), "'", path, "' should map story names to TR counts");
    for (const auto& entry : root)
      trs[entry.first.as<std::string>()] = entry.second.as<std::int64_t>();
  } catch (const YAML::Exception& e) {
    NS_THROW(DataError, "cannot read '", path, "': ", e.what());
  }
  return trs;
}

// Shape of a response file's 'data' and 'individual_repeats' (empty when absent).
struct ResponseFile {
  std::string path;
  std::vector<hsize_t> data, repeats;
};

ResponseFile inspect(const std::string& path) {
  ResponseFile file{path, {}, {}};
  H5Id h5 = open_file(path, MPI_COMM_NULL);
  H5Id data = open_dataset(h5.get(), "data");
  file.data = dataset_dims(data.get());
  NS_CHECK_AS(DataError, file.data.size() == 2, "'", path, "': dataset 'data' has ",
              file.data.size(), " dimensions (expected [TRs, voxels])");
  if (link_exists(h5.get(), "individual_repeats")) {
    H5Id repeats = open_dataset(h5.get(), "individual_repeats");
    file.repeats = dataset_dims(repeats.get());
    NS_CHECK_AS(DataError,
                file.repeats.size() == 3 && file.repeats[0] > 0 &&
                    file.repeats[1] == file.data[0] && file.repeats[2] == file.data[1],
                "'", path, "': dataset 'individual_repeats' has the wrong shape (expected [R, ",
                file.data[0], ", ", file.data[1], "])");
  }
  return file;
}

// A whole dataset as float32 with NaN replaced by 0 (the reference: np.nan_to_num).
at::Tensor read_without_nan(const std::string& path, const std::string& name) {
  H5Id h5 = open_file(path, MPI_COMM_NULL);
  H5Id dataset = open_dataset(h5.get(), name);
  const auto dims = dataset_dims(dataset.get());
  std::vector<std::int64_t> sizes(dims.begin(), dims.end());
  at::Tensor values = at::empty(sizes, at::kDouble);
  read_rows(dataset.get(), H5T_NATIVE_DOUBLE, 0, dims[0], values.data_ptr<double>());
  return at::nan_to_num(values, 0.0, 0.0, 0.0).to(at::kFloat);
}

}  // namespace

std::vector<double> lebel_tr_times(std::int64_t respdict_trs) {
  NS_CHECK_AS(DataError, respdict_trs > kLebelTrimStart + kLebelTrimEnd + kLebelPadTrs,
              "a story of ", respdict_trs,
              " TRs in respdict.json leaves no response rows (expected more than ",
              kLebelTrimStart + kLebelTrimEnd + kLebelPadTrs, ")");
  // TRFile.simulate(respdict - pad): trigger k at k * tr; relative to the sound start at 10 s;
  // tr_times = reltriggertimes + tr / 2; rows [10 : -5].
  std::vector<double> times;
  const std::int64_t simulated = respdict_trs - kLebelPadTrs;
  for (std::int64_t k = kLebelTrimStart; k < simulated - kLebelTrimEnd; ++k) {
    times.push_back(static_cast<double>(k) * kLebelTrS - kLebelStartTimeS + kLebelTrS / 2);
  }
  return times;
}

void ingest_lebel(const LebelOptions& options,
                  const std::function<void(std::size_t, std::size_t)>& progress) {
  // ---- locate the data
  const Layout layout = locate(options.input);
  const std::string respdict_path = layout.derivative + "/respdict.json";
  const std::map<std::string, std::int64_t> respdict = read_respdict(respdict_path);
  const std::string data_dir = layout.derivative + "/" + options.derivative;
  NS_CHECK_AS(DataError, is_directory(data_dir), "missing folder '", data_dir, "' (--derivative ",
              options.derivative, ")");
  std::vector<std::string> available;
  for (const auto& name : list_directory(data_dir)) {
    if (is_directory(data_dir + "/" + name)) available.push_back(name);
  }
  std::vector<std::string> participants =
      options.participants.empty() ? available : options.participants;
  NS_CHECK_AS(DataError, !participants.empty(), "'", data_dir, "' has no participant folders");
  for (const auto& p : participants) {
    NS_CHECK_AS(DataError, std::find(available.begin(), available.end(), p) != available.end(),
                "participant '", p, "' has no folder in '", data_dir,
                "' (participants: ", join(available, ", "), ")");
  }

  // ---- stories of each participant
  std::map<std::string, std::vector<std::string>> heard;  // participant -> stories
  std::set<std::string> all_stories;
  for (const auto& p : participants) {
    for (const auto& file : list_directory(data_dir + "/" + p)) {
      if (file.size() > 4 && file.compare(file.size() - 4, 4, ".hf5") == 0) {
        heard[p].push_back(file.substr(0, file.size() - 4));
        all_stories.insert(heard[p].back());
      }
    }
  }
  std::set<std::string> chosen(options.stories.begin(), options.stories.end());
  if (chosen.empty()) chosen = all_stories;
  for (const auto& s : chosen) {
    NS_CHECK_AS(DataError, all_stories.count(s) > 0, "story '", s, "' has no response file (",
                data_dir, "/<participant>/", s, ".hf5) for any of ", join(participants, ", "));
  }
  NS_CHECK_AS(DataError, !chosen.empty(), "no stories (*.hf5) under '", data_dir, "' for ",
              join(participants, ", "));

  // ---- validate everything before writing
  std::map<std::string, std::int64_t> voxels;  // participant -> V
  std::map<std::pair<std::string, std::string>, ResponseFile> files;
  for (const auto& s : chosen) {
    NS_CHECK_AS(DataError, respdict.count(s) > 0, "'", respdict_path, "' has no entry for story '",
                s, "'");
    const std::string wav = layout.root + "/stimuli/" + s + ".wav";
    NS_CHECK_AS(DataError, is_regular_file(wav), "missing stimulus '", wav, "' for story '", s,
                "'");
  }
  for (const auto& p : participants) {
    for (const auto& s : heard[p]) {
      if (chosen.count(s) == 0) continue;
      ResponseFile file = inspect(data_dir + "/" + p + "/" + s + ".hf5");
      const std::int64_t trs = respdict.at(s);
      const auto expected =
          static_cast<hsize_t>(trs - kLebelTrimStart - kLebelTrimEnd - kLebelPadTrs);
      NS_CHECK_AS(DataError, file.data[0] == expected, "'", file.path, "': dataset 'data' has ",
                  file.data[0], " rows, expected ", expected, " (respdict.json gives ", trs,
                  " TRs for '", s, "'; the files keep respdict - 20: 5 padding TRs, then [10:-5])");
      const auto v = static_cast<std::int64_t>(file.data[1]);
      if (voxels.count(p) == 0) voxels[p] = v;
      NS_CHECK_AS(DataError, voxels[p] == v, "'", file.path, "': dataset 'data' has ", v,
                  " voxels, but participant '", p, "' has ", voxels[p], " in other stories");
      files[{p, s}] = std::move(file);
    }
  }
  std::set<std::int64_t> counts;
  std::vector<std::string> described;
  for (const auto& [p, v] : voxels) {
    counts.insert(v);
    described.push_back(p + ": " + std::to_string(v));
  }
  NS_CHECK_AS(
      DataError, counts.size() == 1, "participants' voxel counts differ (", join(described, ", "),
      ") under '", data_dir,
      "': one projection head needs a shared voxel space; ingest a shared-space ",
      "derivative (e.g. --derivative transformed_data_fs_lang) or one participant (--participants ",
      voxels.begin()->first, ")");

  // ---- write
  const std::size_t total = chosen.size() + files.size();
  std::size_t done = 0;
  FmriWriter writer(options.output, 16000, kLebelTrS, *counts.begin(),
                    "lebel: OpenNeuro ds003020 derivative/" + options.derivative +
                        ", participants " + join(participants, ",") +
                        ", TR times from respdict.json (tr 2.0, start 10 s, pad 5, [10:-5])",
                    options.overwrite);
  for (const auto& s : chosen) {
    const std::string wav = layout.root + "/stimuli/" + s + ".wav";
    Audio audio = read_audio(wav);
    std::vector<float> samples = resample(audio.samples, audio.sample_rate, 16000);
    FmriStory story;
    story.name = s;
    story.split = s == options.test_story ? "test" : s == options.val_story ? "val" : "train";
    story.samples = static_cast<std::int64_t>(samples.size());
    story.tr_times = lebel_tr_times(respdict.at(s));
    writer.add_story(story, at::from_blob(samples.data(), {story.samples}, at::kFloat));
    if (progress) progress(++done, total);
  }
  for (const auto& [key, file] : files) {
    const at::Tensor data = read_without_nan(file.path, "data");
    const at::Tensor repeats =
        file.repeats.empty() ? at::Tensor() : read_without_nan(file.path, "individual_repeats");
    writer.add_responses(key.first, key.second, data, repeats, "train");
    if (progress) progress(++done, total);
  }
  writer.commit();
}

}  // namespace neuroscale::io
