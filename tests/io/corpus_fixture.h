// Builds small corpus files with chosen contents for reader and loader tests.
#pragma once

#include <mpi.h>

#include <cstdio>
#include <string>
#include <vector>

#include "io/corpus/corpus_writer.h"

namespace neuroscale::io::testing_support {

// One subject "s" with `channels` channels, one session, trials of the given lengths; trial t
// holds the value 100 * t + bin + channel / 1000 (so every element is distinct) unless
// `features` overrides it. Labels: trial t has labels {1 + t % 39, 40}.
struct FixtureSpec {
  int channels = 3;
  std::vector<std::int32_t> bins = {4, 7, 5};
  std::string normalization = "per_day";
  std::vector<std::vector<float>> features;       // optional override, per trial
  std::vector<float> mean, std;                   // statistics of the session (default 0 / 1)
  std::vector<std::vector<std::uint8_t>> labels;  // optional override, per trial
};

inline float fixture_value(std::size_t trial, std::size_t bin, std::size_t channel) {
  return 100.0f * trial + bin + channel / 1000.0f;
}

inline std::string write_fixture(const std::string& name, const FixtureSpec& spec) {
  const std::string path = ::testing::TempDir() + "neuroscale_fixture_" + name + ".h5";
  std::remove(path.c_str());
  CorpusContent content;
  CorpusIndex& index = content.index;
  index.source = "test";
  index.normalization = spec.normalization;
  index.subjects.push_back({"s", "human", spec.channels, "test layout"});
  index.sessions.push_back({0, "2024-01-01", 0, "attempted_speech"});
  std::vector<std::vector<float>> features;
  for (std::size_t t = 0; t < spec.bins.size(); ++t) {
    std::vector<std::uint8_t> labels =
        t < spec.labels.size()
            ? spec.labels[t]
            : std::vector<std::uint8_t>{static_cast<std::uint8_t>(1 + t % 39), 40};
    std::string text = "trial " + std::to_string(t);
    index.add_trial(0, Split::kTrain, spec.bins[t], static_cast<std::int32_t>(labels.size()),
                    static_cast<std::int32_t>(text.size()));
    content.phonemes.insert(content.phonemes.end(), labels.begin(), labels.end());
    content.text += text;
    std::vector<float> x(static_cast<std::size_t>(spec.bins[t]) * spec.channels);
    for (std::size_t i = 0; i < x.size(); ++i)
      x[i] = fixture_value(t, i / spec.channels, i % spec.channels);
    features.push_back(t < spec.features.size() ? spec.features[t] : x);
  }
  index.assign_norm_groups();
  {
    CorpusWriter writer(path, MPI_COMM_SELF, content, true);
    for (std::size_t t = 0; t < features.size(); ++t) writer.write_trial(t, features[t]);
    writer.write_norm_stats(0,
                            spec.mean.empty() ? std::vector<float>(spec.channels, 0.0f) : spec.mean,
                            spec.std.empty() ? std::vector<float>(spec.channels, 1.0f) : spec.std);
    writer.commit();
  }
  return path;
}

}  // namespace neuroscale::io::testing_support
