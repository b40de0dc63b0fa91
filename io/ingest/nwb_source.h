// NWB (Neurodata Without Borders, HDF5) recordings of sorted units, as in DANDI datasets of
// monkey reaching. Reads /units/spike_times + /units/spike_times_index (a ragged array:
// cumulative end of each unit's spikes) and, where present, /units/electrodes (spikes are
// then pooled per electrode, as multi-unit threshold crossings). Counts in 20 ms bins over
// each /intervals/trials row [start_time, stop_time), or, without a trials table, over
// consecutive windows of the whole recording. Subject from /general/subject (subject_id,
// species), date from /session_start_time. One file is one session; splits are assigned per
// trial from a hash of (file name, trial), 80/10/10, so they are stable across runs.
#pragma once

#include <string>
#include <vector>

#include "io/ingest/corpus_source.h"

namespace neuroscale::io {

class NwbSource final : public CorpusSource {
 public:
  NwbSource(std::vector<std::string> inputs, std::string task, double window_s);
  void scan(CorpusContent& content) override;
  std::vector<float> read_features(std::size_t trial) override;
  std::string locate(std::size_t trial) const override;

 private:
  struct FileInfo {
    std::string path;
    int channels = 0;
    std::vector<int> unit_channel;  // channel of each unit
  };
  struct TrialRef {
    std::size_t file;
    double start;
    std::int32_t bins;
    std::size_t row;  // trial table row (or window number)
  };
  void load(std::size_t file);

  std::vector<std::string> inputs_;
  std::string task_;
  double window_s_;
  std::vector<FileInfo> files_;
  std::vector<TrialRef> trials_;
  std::size_t loaded_ = static_cast<std::size_t>(-1);
  std::vector<std::vector<double>> spikes_;  // per unit, sorted, of the loaded file
};

}  // namespace neuroscale::io
