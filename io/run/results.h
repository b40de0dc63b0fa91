// The result files of the evaluation jobs, written by rank 0 into the job's run directory,
// each atomically (docs/run-directory.md has their columns and keys):
//   `evaluate` (phonemes):  predictions.tsv, submission.csv (with words), evaluation.json
//   `evaluate --task brain-alignment`:  alignment.tsv, alignment.json,
//                                       voxel_scores.safetensors
// JSON goes through nlohmann/json; a non-finite number is written as null.
#pragma once

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "io/tensors/safetensors.h"

namespace neuroscale::io {

// One decoded trial: a line of predictions.tsv, and what ranks exchange before rank 0
// writes (prediction_line / parse_prediction_line).
struct TrialPrediction {
  std::int64_t trial = 0;  ///< global trial id (corpus order)
  std::string subject, session, truth_phonemes, phonemes, truth_text, text;
  std::int64_t phoneme_edits = 0, truth_phoneme_count = 0, word_edits = 0, truth_word_count = 0;
};

// The prediction as one tab-separated line, newline included (tabs and newlines inside
// texts become spaces).
std::string prediction_line(const TrialPrediction& p);
// Throws DataError quoting the line when it does not have the 11 fields with numbers where
// numbers belong.
TrialPrediction parse_prediction_line(const std::string& line);

struct EvaluationTotals {
  std::int64_t trials = 0;
  std::int64_t phoneme_edits = 0, phonemes = 0;  ///< PER = edits / phonemes (no phonemes: n/a)
  std::int64_t word_edits = 0, words = 0;        ///< WER = edits / words (no words: n/a)
};

// Writes predictions.tsv (sorted by trial), submission.csv when `words` (id,text; ids number
// the trials in corpus order) and evaluation.json (the totals, the split, the checkpoint's
// step and, when not null, `decoder`: the decoding settings) into `run_dir`. Returns the
// totals.
EvaluationTotals write_evaluation(const std::string& run_dir,
                                  std::vector<TrialPrediction> predictions,
                                  const std::string& split, std::int64_t step, bool words,
                                  const nlohmann::ordered_json& decoder);

// One (participant, layer) row of alignment.tsv and alignment.json.
struct AlignmentScore {
  std::string participant, role;
  std::string layer;          ///< layer index, or "ground_truth" (a synthetic corpus' features)
  double mean_r = 0.0;        ///< mean Pearson r over voxels
  double mean_cc_norm = 0.0;  ///< mean r normalised by the noise ceiling (NaN: no ceiling)
  std::int64_t normalised_voxels = 0, voxels = 0;
  double median_alpha = 0.0;       ///< median ridge alpha over voxels
  std::int64_t train_stories = 0;  ///< training stories the encoding model was fit on
};

struct AlignmentResults {
  std::string model;         ///< the brain-tuning checkpoint, or "untuned"
  std::int64_t step = 0;     ///< the checkpoint's step (0: untuned)
  std::string base_weights;  ///< the backbone's base weights (file and checksum, or the seed)
  std::vector<std::string> train_stories, test_stories;
  std::vector<AlignmentScore> scores;
  NamedTensors per_voxel;  ///< r/<who>/<layer>, alpha/<who>/<layer>, cc_max/<who> (float32)
};

// Writes alignment.tsv, alignment.json and voxel_scores.safetensors into `run_dir`.
void write_alignment(const std::string& run_dir, const AlignmentResults& results);

}  // namespace neuroscale::io
