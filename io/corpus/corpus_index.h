// The in-memory index of a neural corpus: subjects, sessions and trials (columnar), small
// enough for every rank to hold while features stay on disk. Layout on disk:
// docs/corpus-format.md. Format version 1.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace neuroscale::io {

inline constexpr const char* kCorpusFormatName = "neuroscale-corpus";
inline constexpr std::int64_t kCorpusFormatVersion = 1;

// The 41-class phoneme layout of the Brain-to-Text benchmarks: 0 blank (CTC only, never
// stored), 1-39 AA..ZH, 40 SIL (word boundary).
inline constexpr int kBlankId = 0;
inline constexpr int kSilenceId = 40;
inline constexpr int kPhonemeClasses = 41;

enum class Split : std::int8_t { kTrain = 0, kVal = 1, kTest = 2 };
const char* to_string(Split split);
// "train", "val" or "test"; ConfigError naming the name otherwise.
Split split_from_string(const std::string& name);

struct SubjectInfo {
  std::string name;            // unique, e.g. "t15"
  std::string species;         // "human" | "monkey"
  int n_channels = 0;          // feature columns, 96-512
  std::string feature_layout;  // "256 threshold crossings + 256 spike-band power"
};

struct SessionInfo {
  std::int32_t subject = 0;  // index into subjects
  std::string date;          // "YYYY-MM-DD"
  std::int32_t day = 0;      // days since the subject's first session
  std::string task;          // "attempted_speech", "reaching", ...
};

// One set of normalisation statistics: a session (per-day) or a block of a session.
struct NormGroup {
  std::int32_t session = 0;
  std::int32_t block = -1;  // -1: the whole session
};

struct CorpusIndex {
  double bin_ms = 20.0;
  // What was applied to the stored features: "none" (raw), "per_day" or "per_block" z-score.
  std::string normalization = "per_day";
  std::string feature_dtype = "float32";  // "float32" | "float16" on disk
  std::string source;                     // what produced the file ("synth", "b2t25", ...)
  std::vector<SubjectInfo> subjects;
  std::vector<SessionInfo> sessions;

  // One entry per trial, in global trial order.
  std::vector<std::int32_t> trial_session;
  std::vector<std::int8_t> trial_split;        // Split values
  std::vector<std::int32_t> trial_bins;        // time bins of the trial
  std::vector<std::int64_t> trial_row;         // first row in /features/<subject>
  std::vector<std::int64_t> label_offset;      // into /labels/phonemes
  std::vector<std::int32_t> label_count;       // 0 when unlabelled
  std::vector<std::int64_t> text_offset;       // into /text/utf8
  std::vector<std::int32_t> text_length;       // 0 when there is no sentence
  std::vector<std::int32_t> trial_block;       // recording block within the session
  std::vector<std::int32_t> trial_norm_group;  // index into norm_groups

  // Statistics groups; per_block corpora have one per (session, block), others one per session.
  std::vector<NormGroup> norm_groups;

  std::size_t trial_count() const { return trial_session.size(); }
  std::int32_t trial_subject(std::size_t trial) const {
    return sessions[trial_session[trial]].subject;
  }
  // Rows of /features/<subject> (sum of trial_bins over the subject's trials).
  std::int64_t subject_rows(std::int32_t subject) const;

  // Appends a trial, placing its rows after the subject's previous trial; returns its id.
  std::size_t add_trial(std::int32_t session, Split split, std::int32_t bins, std::int32_t labels,
                        std::int32_t text_bytes, std::int32_t block = 0);

  // Builds norm_groups and trial_norm_group for `normalization` (per_block: one group per
  // (session, block) in order of first appearance; otherwise one per session).
  void assign_norm_groups();
  std::int32_t norm_group_channels(std::size_t group) const {
    return subjects[sessions[norm_groups[group].session].subject].n_channels;
  }

  // Throws DataError naming `source_name` and the first inconsistency (bad subject index,
  // overlapping rows, unknown split, ...).
  void validate(const std::string& source_name) const;
};

// Human-readable summary (`neuroscale corpus info`): subjects, sessions, trials, hours,
// channels and splits.
std::string summarize(const CorpusIndex& index, const std::string& path);

}  // namespace neuroscale::io
