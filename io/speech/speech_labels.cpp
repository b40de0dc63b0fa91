#include "io/speech/speech_labels.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "core/check.h"
#include "io/fs/files.h"
#include "io/hdf5/file_format.h"
#include "io/hdf5/h5_file.h"
#include "neuroscale/build_config.h"

namespace neuroscale::io {
namespace {

using Lock = std::lock_guard<std::recursive_mutex>;

void validate(const SpeechLabels& l, const std::string& where) {
  NS_CHECK_AS(DataError, l.window >= 1 && l.hop >= 1, where, ": window ", l.window, " and hop ",
              l.hop, " (expected >= 1)");
  NS_CHECK_AS(DataError, l.clusters >= 1 && l.clusters <= 32767 && l.dim >= 1, where, ": clusters ",
              l.clusters, " (expected 1-32767) and centroid size ", l.dim, " (expected >= 1)");
  NS_CHECK_AS(DataError, l.centroids.size() == static_cast<std::size_t>(l.clusters * l.dim), where,
              ": centroids hold ", l.centroids.size(),
              " values, expected clusters x dim = ", l.clusters, " x ", l.dim);
  NS_CHECK_AS(DataError, l.offset.size() == l.frames.size() && !l.offset.empty(), where, ": ",
              l.offset.size(), " offsets and ", l.frames.size(),
              " frame counts (expected one of each per utterance, at least one utterance)");
  std::int64_t next = 0;
  for (std::size_t u = 0; u < l.offset.size(); ++u) {
    NS_CHECK_AS(DataError, l.offset[u] == next && l.frames[u] >= 0, where, ", utterance ", u,
                ": labels at ", l.offset[u], " (", l.frames[u], " frames); expected them at ", next,
                ", after the previous utterance's");
    next += l.frames[u];
  }
  NS_CHECK_AS(DataError, next == static_cast<std::int64_t>(l.labels.size()), where, ": ",
              l.labels.size(), " labels, the utterances' frames add up to ", next);
  for (std::size_t u = 0; u < l.offset.size(); ++u) {
    for (std::int64_t t = 0; t < l.frames[u]; ++t) {
      const std::int16_t label = l.labels[static_cast<std::size_t>(l.offset[u] + t)];
      NS_CHECK_AS(DataError, label >= 0 && label < l.clusters, where, ", utterance ", u, ", frame ",
                  t, ": label ", label, " outside [0, ", l.clusters, ")");
    }
  }
}

}  // namespace

std::int64_t SpeechLabels::frames_of(std::int64_t samples) const {
  return samples < window ? 0 : (samples - window) / hop + 1;
}

void write_speech_labels(const std::string& path, const SpeechLabels& labels, bool overwrite,
                         const std::string& provenance) {
  NS_CHECK_AS(DataError, overwrite || !path_exists(path), "output '", path,
              "' already exists (pass --force to replace it)");
  validate(labels, "speech labels for '" + path + "'");
  const std::string temp = path + ".tmp." + std::to_string(static_cast<long>(::getpid()));
  try {
    Lock lock(hdf5_mutex());
    H5Id file = create_file(temp, MPI_COMM_NULL);
    const hid_t root = file.get();
    write_attribute(root, "format", std::string(kSpeechLabelsFormatName));
    write_attribute(root, "format_version", kSpeechLabelsFormatVersion);
    write_attribute(root, "corpus", labels.corpus);
    write_attribute(root, "features", labels.features);
    write_attribute(root, "window", labels.window);
    write_attribute(root, "hop", labels.hop);
    write_attribute(root, "clusters", labels.clusters);
    write_attribute(root, "inertia", labels.inertia);
    write_attribute(root, "created_by", std::string("neuroscale ") + NEUROSCALE_VERSION);
    if (!provenance.empty()) write_attribute(root, "provenance", provenance);
    H5Id centroids =
        create_dataset(root, "centroids", H5T_IEEE_F32LE,
                       {static_cast<hsize_t>(labels.clusters), static_cast<hsize_t>(labels.dim)});
    write_rows(centroids.get(), H5T_NATIVE_FLOAT, 0, static_cast<hsize_t>(labels.clusters),
               labels.centroids.data());
    centroids.reset();
    write_array(root, "offset", labels.offset);
    write_array(root, "frames", labels.frames);
    write_array(root, "labels", labels.labels);
    file.close("close speech labels '" + temp + "'");
    read_speech_labels(temp);  // never rename an invalid file into place
  } catch (...) {
    std::remove(temp.c_str());
    throw;
  }
  NS_CHECK_AS(DataError, std::rename(temp.c_str(), path.c_str()) == 0, "cannot rename '", temp,
              "' to '", path, "': ", std::strerror(errno));
}

SpeechLabels read_speech_labels(const std::string& path) {
  NS_CHECK_AS(DataError, is_regular_file(path), "speech labels '", path, "' do not exist");
  Lock lock(hdf5_mutex());
  H5Id file = open_file(path, MPI_COMM_NULL);
  const hid_t root = file.get();
  check_file_format(root, path, kSpeechLabelsFormatName, kSpeechLabelsFormatVersion,
                    "speech labels file", "speech labels");
  SpeechLabels l;
  l.path = path;
  l.corpus = read_string_attribute(root, "corpus");
  l.features = read_string_attribute(root, "features");
  l.window = read_int_attribute(root, "window");
  l.hop = read_int_attribute(root, "hop");
  l.clusters = read_int_attribute(root, "clusters");
  l.inertia = read_double_attribute(root, "inertia");
  for (const char* name : {"centroids", "offset", "frames", "labels"}) {
    NS_CHECK_AS(DataError, link_exists(root, name), "speech labels '", path,
                "': missing dataset '/", name, "'");
  }
  H5Id centroids = open_dataset(root, "centroids");
  const auto dims = dataset_dims(centroids.get());
  NS_CHECK_AS(DataError, dims.size() == 2 && static_cast<std::int64_t>(dims[0]) == l.clusters,
              "speech labels '", path, "': '/centroids' should be [clusters = ", l.clusters,
              ", dim]");
  l.dim = static_cast<std::int64_t>(dims[1]);
  l.centroids.resize(static_cast<std::size_t>(l.clusters * l.dim));
  read_rows(centroids.get(), H5T_NATIVE_FLOAT, 0, dims[0], l.centroids.data());
  l.offset = read_array<std::int64_t>(root, "offset");
  l.frames = read_array<std::int64_t>(root, "frames");
  l.labels = read_array<std::int16_t>(root, "labels");
  validate(l, "speech labels '" + path + "'");
  return l;
}

void check_labels_match(const SpeechLabels& labels, const SpeechIndex& corpus) {
  NS_CHECK_AS(DataError, labels.offset.size() == corpus.utterances.size(), "speech labels '",
              labels.path, "' have ", labels.offset.size(), " utterances, the corpus '",
              corpus.path, "' has ", corpus.utterances.size(),
              " (labels belong to the corpus they were made from: ", labels.corpus, ")");
  for (std::size_t u = 0; u < corpus.utterances.size(); ++u) {
    const std::int64_t expected = labels.frames_of(corpus.utterances[u].samples);
    NS_CHECK_AS(DataError, labels.frames[u] == expected, "speech labels '", labels.path,
                "', utterance ", u, ": ", labels.frames[u], " frames, but its ",
                corpus.utterances[u].samples, " samples in '", corpus.path, "' give ", expected,
                " (labels belong to the corpus they were made from: ", labels.corpus, ")");
  }
}

}  // namespace neuroscale::io
