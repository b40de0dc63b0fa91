#include "io/ingest/nwb_source.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/check.h"
#include "io/hdf5/h5_file.h"
#include "io/ingest/source_files.h"

namespace neuroscale::io {
namespace {

constexpr double kBinSeconds = 0.020;

std::string read_scalar_string(hid_t parent, const std::string& path, const std::string& fallback) {
  if (!link_exists(parent, path.substr(0, path.find('/')))) return fallback;
  htri_t exists = H5Lexists(parent, path.c_str(), H5P_DEFAULT);
  if (exists <= 0) return fallback;
  H5Id dataset = open_dataset(parent, path);
  H5Id type(H5Dget_type(dataset.get()), H5Tclose, "get the type of '" + path + "'");
  NS_CHECK_AS(DataError, H5Tget_class(type.get()) == H5T_STRING, "'", path, "' is not a string");
  H5Id memory(H5Tcopy(H5T_C_S1), H5Tclose, "copy the string type");
  NS_H5_CHECK(H5Tset_cset(memory.get(), H5Tget_cset(type.get())), "match the string encoding");
  std::string value;
  if (H5Tis_variable_str(type.get()) > 0) {
    char* text = nullptr;
    NS_H5_CHECK(H5Tset_size(memory.get(), H5T_VARIABLE), "set a variable string type");
    NS_H5_CHECK(H5Dread(dataset.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, &text),
                "read '" + path + "'");
    value = text ? text : "";
    H5free_memory(text);
  } else {
    const std::size_t width = H5Tget_size(type.get());
    std::vector<char> buffer(width + 1, '\0');
    NS_H5_CHECK(H5Tset_size(memory.get(), width), "set a string type");
    NS_H5_CHECK(H5Dread(dataset.get(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()),
                "read '" + path + "'");
    value = buffer.data();
  }
  return value;
}

std::string stem_of(const std::string& path) {
  const std::string name = basename_of(path);
  auto dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

// Stable split: FNV-1a of (file stem, trial), 80% train, 10% val, 10% test.
Split stable_split(const std::string& stem, std::size_t trial) {
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&](unsigned char c) { h = (h ^ c) * 1099511628211ULL; };
  for (unsigned char c : stem) mix(c);
  for (int i = 0; i < 8; ++i) mix(static_cast<unsigned char>(trial >> (8 * i)));
  const auto bucket = h % 10;
  return bucket < 8 ? Split::kTrain : (bucket == 8 ? Split::kVal : Split::kTest);
}

}  // namespace

NwbSource::NwbSource(std::vector<std::string> inputs, std::string task, double window_s)
    : inputs_(std::move(inputs)), task_(std::move(task)), window_s_(window_s) {
  NS_CHECK_AS(UsageError, window_s_ > kBinSeconds, "nwb: --window must exceed one 20 ms bin, is ",
              window_s_);
}

void NwbSource::scan(CorpusContent& content) {
  std::vector<std::string> paths = inputs_;
  std::sort(paths.begin(), paths.end());
  CorpusIndex& index = content.index;
  index.source = "nwb";
  std::map<std::string, std::int32_t> subject_ids;
  std::vector<std::int64_t> session_days;
  for (std::size_t f = 0; f < paths.size(); ++f) {
    const std::string& path = paths[f];
    try {
      H5Id file = open_file(path, MPI_COMM_NULL);
      const hid_t root = file.get();
      FileInfo info;
      info.path = path;
      // ---- units -> channels
      H5Id units = open_group(root, "units");
      const auto index_ends = read_array<std::int64_t>(units.get(), "spike_times_index");
      NS_CHECK_AS(DataError, !index_ends.empty(), "/units has no units");
      H5Id times = open_dataset(units.get(), "spike_times");
      const auto total = static_cast<std::int64_t>(dataset_dims(times.get()).at(0));
      for (std::size_t u = 0; u < index_ends.size(); ++u) {
        NS_CHECK_AS(DataError,
                    index_ends[u] >= (u ? index_ends[u - 1] : 0) && index_ends[u] <= total,
                    "/units/spike_times_index[", u, "] = ", index_ends[u],
                    " is not a cumulative end within ", total, " spikes");
      }
      if (link_exists(units.get(), "electrodes")) {
        auto electrodes = read_array<std::int64_t>(units.get(), "electrodes");
        std::vector<std::int64_t> first(index_ends.size());
        if (link_exists(units.get(), "electrodes_index")) {  // ragged: first electrode of each unit
          auto ends = read_array<std::int64_t>(units.get(), "electrodes_index");
          NS_CHECK_AS(DataError, ends.size() == index_ends.size(), "/units/electrodes_index has ",
                      ends.size(), " rows for ", index_ends.size(), " units");
          for (std::size_t u = 0; u < ends.size(); ++u)
            first[u] = electrodes.at(u ? ends[u - 1] : 0);
        } else {
          NS_CHECK_AS(DataError, electrodes.size() == index_ends.size(), "/units/electrodes has ",
                      electrodes.size(), " rows for ", index_ends.size(), " units");
          first = electrodes;
        }
        std::set<std::int64_t> distinct(first.begin(), first.end());
        std::map<std::int64_t, int> channel_of;
        for (std::int64_t e : distinct) channel_of.emplace(e, static_cast<int>(channel_of.size()));
        for (std::int64_t e : first) info.unit_channel.push_back(channel_of[e]);
        info.channels = static_cast<int>(distinct.size());
      } else {
        for (std::size_t u = 0; u < index_ends.size(); ++u)
          info.unit_channel.push_back(static_cast<int>(u));
        info.channels = static_cast<int>(index_ends.size());
      }
      // ---- subject and session
      const std::string subject =
          read_scalar_string(root, "general/subject/subject_id", stem_of(path));
      const std::string species_text =
          read_scalar_string(root, "general/subject/species", "Macaca mulatta");
      const std::string species =
          species_text.find("Homo") != std::string::npos ? "human" : "monkey";
      const std::string start = read_scalar_string(root, "session_start_time", "");
      NS_CHECK_AS(DataError, start.size() >= 10 && start[4] == '-' && start[7] == '-',
                  "/session_start_time '", start, "' is not an ISO 8601 date");
      if (!subject_ids.count(subject)) {
        subject_ids[subject] = static_cast<std::int32_t>(index.subjects.size());
        index.subjects.push_back(
            {subject, species, info.channels,
             std::to_string(info.channels) + (link_exists(units.get(), "electrodes")
                                                  ? " electrodes (pooled unit spike counts)"
                                                  : " sorted units (spike counts)")});
      }
      const std::int32_t s = subject_ids[subject];
      NS_CHECK_AS(DataError, index.subjects[s].n_channels == info.channels, "subject ", subject,
                  " has ", info.channels, " channels here, ", index.subjects[s].n_channels,
                  " in an earlier file");
      const auto session = static_cast<std::int32_t>(index.sessions.size());
      index.sessions.push_back({s, start.substr(0, 10), 0, task_});
      session_days.push_back(days_from_civil(std::stoi(start.substr(0, 4)),
                                             std::stoi(start.substr(5, 2)),
                                             std::stoi(start.substr(8, 2))));
      // ---- trials
      std::vector<double> begins, ends;
      if (link_exists(root, "intervals") && H5Lexists(root, "intervals/trials", H5P_DEFAULT) > 0) {
        H5Id trials = open_group(root, "intervals/trials");
        begins = read_array<double>(trials.get(), "start_time");
        ends = read_array<double>(trials.get(), "stop_time");
        NS_CHECK_AS(DataError, begins.size() == ends.size(),
                    "/intervals/trials start_time and stop_time differ in length");
      } else {  // whole recording in windows
        std::vector<double> all(static_cast<std::size_t>(total));
        read_rows(times.get(), H5T_NATIVE_DOUBLE, 0, all.size(), all.data());
        NS_CHECK_AS(DataError, !all.empty(),
                    "/units/spike_times is empty and there is no trials table");
        for (std::size_t k = 0; k < all.size(); ++k) {
          NS_CHECK_AS(DataError, std::isfinite(all[k]), "/units/spike_times[", k, "] = ", all[k],
                      " is not finite");
        }
        const double lo = *std::min_element(all.begin(), all.end()),
                     hi = *std::max_element(all.begin(), all.end());
        // Windows of the whole recording: a span no real recording has would allocate without
        // bound.
        constexpr double kMaxWindows = 1e6;
        NS_CHECK_AS(DataError, (hi - lo) / window_s_ <= kMaxWindows, "/units/spike_times span ", lo,
                    " .. ", hi, " s: more than ", kMaxWindows, " windows of ", window_s_,
                    " s (spike times must be in seconds)");
        for (double t = lo; t + kBinSeconds <= hi; t += window_s_) {
          begins.push_back(t);
          ends.push_back(std::min(hi, t + window_s_));
        }
      }
      for (std::size_t t = 0; t < begins.size(); ++t) {
        NS_CHECK_AS(
            DataError, std::isfinite(begins[t]) && std::isfinite(ends[t]) && ends[t] > begins[t],
            "trial ", t, ": interval [", begins[t], ", ", ends[t], ") is empty or not finite");
        const double length = std::floor((ends[t] - begins[t]) / kBinSeconds + 1e-9);
        NS_CHECK_AS(DataError, length < 1e8, "trial ", t, ": interval [", begins[t], ", ", ends[t],
                    ") is longer than 1e8 bins of 20 ms (times must be in seconds)");
        const auto bins = static_cast<std::int32_t>(length);
        NS_CHECK_AS(DataError, bins > 0, "trial ", t, ": interval of ", ends[t] - begins[t],
                    " s is shorter than one bin");
        index.add_trial(session, stable_split(stem_of(path), t), bins, 0, 0);
        trials_.push_back({files_.size(), begins[t], bins, t});
      }
      files_.push_back(std::move(info));
    } catch (const Error& e) {
      NS_THROW(DataError, "'", path, "': ", e.what());
    }
  }
  NS_CHECK_AS(DataError, !trials_.empty(), "no trials in the nwb inputs");
  assign_session_days(index, session_days);
}

void NwbSource::load(std::size_t file) {
  if (loaded_ == file) return;
  spikes_.clear();
  loaded_ = static_cast<std::size_t>(-1);
  H5Id h5 = open_file(files_[file].path, MPI_COMM_NULL);
  H5Id units = open_group(h5.get(), "units");
  const auto ends = read_array<std::int64_t>(units.get(), "spike_times_index");
  const auto times = read_array<double>(units.get(), "spike_times");
  for (std::size_t u = 0; u < ends.size(); ++u) {
    std::vector<double> unit(times.begin() + (u ? ends[u - 1] : 0), times.begin() + ends[u]);
    std::sort(unit.begin(), unit.end());
    spikes_.push_back(std::move(unit));
  }
  loaded_ = file;
}

std::vector<float> NwbSource::read_features(std::size_t trial) {
  const TrialRef& ref = trials_.at(trial);
  load(ref.file);
  const FileInfo& info = files_[ref.file];
  const auto channels = static_cast<std::size_t>(info.channels);
  std::vector<float> x(static_cast<std::size_t>(ref.bins) * channels, 0.0f);
  const double end = ref.start + ref.bins * kBinSeconds;
  for (std::size_t u = 0; u < spikes_.size(); ++u) {
    const auto& unit = spikes_[u];
    for (auto it = std::lower_bound(unit.begin(), unit.end(), ref.start);
         it != unit.end() && *it < end; ++it) {
      const auto bin =
          std::min<std::size_t>(static_cast<std::size_t>((*it - ref.start) / kBinSeconds),
                                static_cast<std::size_t>(ref.bins) - 1);
      x[bin * channels + static_cast<std::size_t>(info.unit_channel[u])] += 1.0f;
    }
  }
  return x;
}

std::string NwbSource::locate(std::size_t trial) const {
  const TrialRef& ref = trials_.at(trial);
  return "'" + files_[ref.file].path + "', trial " + std::to_string(ref.row);
}

}  // namespace neuroscale::io
