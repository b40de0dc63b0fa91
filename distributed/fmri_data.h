// The training data of brain-tuning: the global batch plans of an fMRI corpus' training and
// validation stories (io::TrBatchPlan), read by FmriSources; and the plan's story list for a
// selection of stories and participants.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "distributed/batch_source.h"
#include "io/data/tr_batch_plan.h"
#include "io/fmri/fmri_reader.h"

namespace neuroscale::distributed {

// Each named story with the participants (indices into `participants`) that heard it.
std::vector<io::TrStory> plan_stories(const io::FmriIndex& index,
                                      const std::vector<std::string>& stories,
                                      const std::vector<std::string>& participants);

class FmriTrainingData : public TrainingData {
 public:
  // `reader` must outlive this; plan participant i is `participants[i]`; `val` absent: no
  // validation. Each response row is paired with the `window_s` seconds of audio before it.
  FmriTrainingData(const io::FmriReader& reader, std::vector<std::string> participants,
                   io::TrBatchPlan train, std::optional<io::TrBatchPlan> val, double window_s);

  std::unique_ptr<ResumableSource> train(io::SamplerPosition start, int rank, int world_size,
                                         int accumulate) override;
  ValidationSource validation(int rank, int world_size) override;

 private:
  const io::FmriReader& reader_;
  std::vector<std::string> participants_;
  io::TrBatchPlan train_;
  std::optional<io::TrBatchPlan> val_;
  double window_s_;
};

}  // namespace neuroscale::distributed
