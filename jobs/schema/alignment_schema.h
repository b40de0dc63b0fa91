// The config of `neuroscale evaluate --task brain-alignment` (configs/evaluate/brain-
// alignment-*.yaml): which speech model (a brain-tuning run, or an untuned backbone), which
// participants and stories, and the encoding-model recipe of the reference (EMSL / MBT):
// layer features of 16 s causal windows every 100 ms, Lanczos-downsampled to the TRs,
// z-scored per story, FIR delays of 1-4 TRs, bootstrap ridge with a per-voxel alpha,
// Pearson r on held-out stories, normalised by the noise ceiling where repeats exist.
#pragma once

#include <string>
#include <vector>

#include "core/encoding/ridge.h"
#include "core/encoding/speech_features.h"
#include "jobs/schema/braintune_schema.h"

namespace neuroscale::jobs {

struct AlignmentConfig {
  std::string task = "brain-alignment";
  std::string checkpoint;   ///< brain-tuning run or checkpoint ("": the untuned model of `model`)
  std::int64_t seed = 122;  ///< untuned random backbones: the brain-tuning seed they stand for
  BraintuneModelConfig model;  ///< the untuned model (ignored with a checkpoint: its run's config)
  std::string corpus;          ///< data.corpus
  std::vector<std::string> participants;   ///< data.participants (empty: all)
  std::vector<std::string> train_stories;  ///< data.train_stories (empty: split train)
  std::vector<std::string> test_stories;   ///< data.test_stories (empty: split test)
  std::int64_t max_train_stories = 0;      ///< data.max_train_stories (0: all)
  /// data.encoding_stories: also fit on the first N of the training stories, for each N
  /// (features extracted once; encoding-data efficiency curves). The full set is always fit.
  std::vector<std::int64_t> encoding_stories;
  std::int64_t test_skip_rows = 0;  ///< data.test_skip_rows: rows dropped at a test story's start
  /// features.source: model (layer features of the speech model) or ground_truth (a
  /// synthetic corpus' hidden features, /ground_truth/stories/<story>/features, already
  /// haemodynamic responses at the TR times: with ridge.delays [0], the ceiling that the
  /// generator's own encoding model reaches)
  std::string feature_source = "model";
  encoding::SpeechFeatureOptions features;
  encoding::RidgeOptions ridge;
  std::vector<std::int64_t> delays = {1, 2, 3, 4};  ///< ridge.delays in TRs
  double min_cc_max = 0.05;                         ///< noise_ceiling.min_cc_max
  bool zscore_repeats = false;                      ///< noise_ceiling.zscore_repeats
  std::string device = "cpu";
};

void describe(io::ConfigVisitor& v, AlignmentConfig& o);
// Cross-field checks; ConfigError naming `source`.
void validate(const AlignmentConfig& o, const std::string& source);

}  // namespace neuroscale::jobs
