// The encoding models of a brain-alignment evaluation, fitted across the ranks: for every
// (participant, layer) pair, a voxelwise ridge model from the layer's story features to the
// participant's responses on the training stories, scored (Pearson r per voxel) on the test
// stories; pair k is fitted by rank k % ranks and the results summed so every rank holds all
// of them. Each participant's noise ceiling comes from the test stories' repeats. Collective:
// every rank calls it with the same arguments.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/encoding/ridge.h"
#include "core/log.h"
#include "distributed/communicator.h"
#include "io/fmri/fmri_reader.h"
#include "io/run/results.h"

namespace neuroscale::distributed {

struct AlignmentFitOptions {
  std::vector<std::string> participants;   // names in the corpus
  std::vector<std::string> train_stories;  // a participant uses those they heard
  std::vector<std::string> test_stories;
  std::int64_t layers = 1;           // features per story are [layers, rows, width]
  std::int64_t test_skip_rows = 0;   // rows dropped at each test story's start
  std::vector<std::int64_t> delays;  // FIR delays in TRs
  encoding::RidgeOptions ridge;
  bool zscore_repeats = false;  // noise ceiling of z-scored repeats
};

struct AlignmentFits {
  // [participants * layers, voxels] float64 on the CPU; row p * layers + l.
  at::Tensor r;
  at::Tensor alpha;
  // Per participant, [voxels] float64, or undefined when a test story has no repeats.
  std::vector<at::Tensor> ceilings;
};

// `features`: story -> [layers, TR rows, width] for every training and test story. Throws
// ConfigError naming the participant who heard none of the training or test stories;
// progress (this rank's fits) goes to `log`.
AlignmentFits fit_alignment(const io::FmriReader& reader,
                            const std::map<std::string, at::Tensor>& features,
                            const AlignmentFitOptions& options, Communicator& comm,
                            const at::Device& device, Logger& log);

// The scores of `fits` into `results` (rank 0, after fit_alignment): per participant and
// layer (`layers[l]`, -1 for a synthetic corpus' ground-truth features) the mean r, the mean
// r normalised by the noise ceiling over voxels whose ceiling reaches `min_cc_max`, the median
// alpha, and the per-voxel r, alpha and ceiling; each line logged. `train_stories` is the
// number of stories the fits used; `voxel_suffix` is appended to the per-voxel names ("" for
// the fit on every training story; the ceilings are added only then).
void add_alignment_scores(const AlignmentFits& fits, const io::FmriIndex& index,
                          const std::vector<std::string>& participants,
                          const std::vector<std::int64_t>& layers, double min_cc_max,
                          std::int64_t train_stories, const std::string& voxel_suffix,
                          io::AlignmentResults& results, Logger& log);

}  // namespace neuroscale::distributed
