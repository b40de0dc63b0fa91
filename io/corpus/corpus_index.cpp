#include "io/corpus/corpus_index.h"

#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "core/check.h"

namespace neuroscale::io {

const char* to_string(Split split) {
  switch (split) {
    case Split::kTrain:
      return "train";
    case Split::kVal:
      return "val";
    case Split::kTest:
      return "test";
  }
  return "?";
}

Split split_from_string(const std::string& name) {
  for (const auto split : {Split::kTrain, Split::kVal, Split::kTest}) {
    if (name == to_string(split)) return split;
  }
  NS_THROW(ConfigError, "split '", name, "' is not train, val or test");
}

std::int64_t CorpusIndex::subject_rows(std::int32_t subject) const {
  std::int64_t rows = 0;
  for (std::size_t t = 0; t < trial_count(); ++t) {
    if (trial_subject(t) == subject) rows += trial_bins[t];
  }
  return rows;
}

std::size_t CorpusIndex::add_trial(std::int32_t session, Split split, std::int32_t bins,
                                   std::int32_t labels, std::int32_t text_bytes,
                                   std::int32_t block) {
  const std::int32_t subject = sessions.at(session).subject;
  std::int64_t row = 0, label = 0, text = 0;
  for (std::size_t t = trial_count(); t-- > 0;) {
    if (trial_subject(t) == subject) {
      row = trial_row[t] + trial_bins[t];
      break;
    }
  }
  if (trial_count() > 0) {
    label = label_offset.back() + label_count.back();
    text = text_offset.back() + text_length.back();
  }
  trial_session.push_back(session);
  trial_split.push_back(static_cast<std::int8_t>(split));
  trial_bins.push_back(bins);
  trial_row.push_back(row);
  label_offset.push_back(label);
  label_count.push_back(labels);
  text_offset.push_back(text);
  text_length.push_back(text_bytes);
  trial_block.push_back(block);
  trial_norm_group.push_back(-1);
  return trial_count() - 1;
}

void CorpusIndex::assign_norm_groups() {
  norm_groups.clear();
  std::map<std::pair<std::int32_t, std::int32_t>, std::int32_t> ids;
  const bool per_block = normalization == "per_block";
  if (!per_block) {
    for (std::size_t s = 0; s < sessions.size(); ++s) {
      norm_groups.push_back({static_cast<std::int32_t>(s), -1});
    }
  }
  for (std::size_t t = 0; t < trial_count(); ++t) {
    if (!per_block) {
      trial_norm_group[t] = trial_session[t];
      continue;
    }
    auto key = std::make_pair(trial_session[t], trial_block[t]);
    auto [it, inserted] = ids.emplace(key, static_cast<std::int32_t>(norm_groups.size()));
    if (inserted) norm_groups.push_back({key.first, key.second});
    trial_norm_group[t] = it->second;
  }
}

void CorpusIndex::validate(const std::string& source_name) const {
  const std::string& f = source_name;
  NS_CHECK_AS(DataError, bin_ms > 0, f, ": bin_ms must be positive, is ", bin_ms);
  NS_CHECK_AS(DataError, feature_dtype == "float32" || feature_dtype == "float16", f,
              ": feature dtype '", feature_dtype, "' is not float32 or float16");
  std::set<std::string> names;
  for (const auto& s : subjects) {
    NS_CHECK_AS(DataError, names.insert(s.name).second, f, ": duplicate subject '", s.name, "'");
    NS_CHECK_AS(DataError, s.n_channels > 0, f, ": subject '", s.name, "' has ", s.n_channels,
                " channels");
  }
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    NS_CHECK_AS(DataError,
                sessions[i].subject >= 0 &&
                    sessions[i].subject < static_cast<std::int32_t>(subjects.size()),
                f, ": session ", i, " refers to subject ", sessions[i].subject, " of ",
                subjects.size());
  }
  const std::size_t n = trial_count();
  for (const auto* column : {&trial_bins, &label_count, &text_length}) {
    NS_CHECK_AS(DataError, column->size() == n, f, ": trial columns have different lengths");
  }
  NS_CHECK_AS(DataError,
              trial_split.size() == n && trial_row.size() == n && label_offset.size() == n &&
                  text_offset.size() == n && trial_block.size() == n &&
                  trial_norm_group.size() == n,
              f, ": trial columns have different lengths");
  NS_CHECK_AS(DataError,
              normalization == "none" || normalization == "per_day" || normalization == "per_block",
              f, ": unknown normalization '", normalization,
              "' (expected none, per_day or per_block)");
  for (std::size_t g = 0; g < norm_groups.size(); ++g) {
    NS_CHECK_AS(DataError,
                norm_groups[g].session >= 0 &&
                    norm_groups[g].session < static_cast<std::int32_t>(sessions.size()),
                f, ": normalization group ", g, " refers to session ", norm_groups[g].session);
  }
  std::map<std::int32_t, std::int64_t> next_row;
  for (std::size_t t = 0; t < n; ++t) {
    NS_CHECK_AS(
        DataError,
        trial_session[t] >= 0 && trial_session[t] < static_cast<std::int32_t>(sessions.size()), f,
        ": trial ", t, " refers to session ", trial_session[t]);
    NS_CHECK_AS(DataError, trial_split[t] >= 0 && trial_split[t] <= 2, f, ": trial ", t,
                " has unknown split ", int(trial_split[t]));
    NS_CHECK_AS(DataError, trial_bins[t] > 0, f, ": trial ", t, " has ", trial_bins[t], " bins");
    NS_CHECK_AS(DataError, label_count[t] >= 0 && text_length[t] >= 0, f, ": trial ", t,
                " has a negative label or text length");
    NS_CHECK_AS(DataError,
                trial_norm_group[t] >= 0 &&
                    trial_norm_group[t] < static_cast<std::int32_t>(norm_groups.size()) &&
                    norm_groups[trial_norm_group[t]].session == trial_session[t],
                f, ": trial ", t, " has normalization group ", trial_norm_group[t],
                ", which is not one of its session's");
    std::int64_t& expected = next_row[trial_subject(t)];
    NS_CHECK_AS(DataError, trial_row[t] == expected, f, ": trial ", t, " starts at feature row ",
                trial_row[t], ", expected ", expected, " (rows must be contiguous per subject)");
    expected += trial_bins[t];
  }
}

std::string summarize(const CorpusIndex& index, const std::string& path) {
  std::ostringstream out;
  const double seconds_per_bin = index.bin_ms / 1000.0;
  std::int64_t total_bins = 0;
  std::size_t split_trials[3] = {0, 0, 0};
  for (std::size_t t = 0; t < index.trial_count(); ++t) {
    total_bins += index.trial_bins[t];
    ++split_trials[index.trial_split[t]];
  }
  char line[256];
  out << "corpus " << path << " (format " << kCorpusFormatName << " v" << kCorpusFormatVersion
      << ", source " << index.source << ", " << index.feature_dtype << ", " << index.bin_ms
      << " ms bins, normalization " << index.normalization << ")\n";
  std::snprintf(line, sizeof(line),
                "%zu subjects, %zu sessions, %zu trials, %.2f hours (%lld bins)\n",
                index.subjects.size(), index.sessions.size(), index.trial_count(),
                total_bins * seconds_per_bin / 3600.0, static_cast<long long>(total_bins));
  out << line;
  std::snprintf(line, sizeof(line), "splits: train %zu, val %zu, test %zu trials\n",
                split_trials[0], split_trials[1], split_trials[2]);
  out << line << "\n";
  std::snprintf(line, sizeof(line), "%-12s %-7s %8s %8s %7s %8s  %s\n", "subject", "species",
                "channels", "sessions", "trials", "hours", "features");
  out << line;
  for (std::size_t s = 0; s < index.subjects.size(); ++s) {
    std::size_t sessions = 0, trials = 0;
    std::int64_t bins = 0;
    for (const auto& session : index.sessions) sessions += session.subject == std::int32_t(s);
    for (std::size_t t = 0; t < index.trial_count(); ++t) {
      if (index.trial_subject(t) == std::int32_t(s)) {
        ++trials;
        bins += index.trial_bins[t];
      }
    }
    const auto& subject = index.subjects[s];
    std::snprintf(line, sizeof(line), "%-12s %-7s %8d %8zu %7zu %8.3f  %s\n", subject.name.c_str(),
                  subject.species.c_str(), subject.n_channels, sessions, trials,
                  bins * seconds_per_bin / 3600.0, subject.feature_layout.c_str());
    out << line;
  }
  return out.str();
}

}  // namespace neuroscale::io
