// The trainer's BatchSource for brain-tuning: the global batches of an io::TrBatchPlan over an
// fMRI corpus, each split into contiguous row shares over the P*A virtual ranks of a step
// (slot j of rank r is virtual rank r*A + j), so the run is the same for any split of P*A
// between ranks and accumulation. A micro-batch pairs each of its rows' stimulus window
// (the audio before the row's TR end, io::stimulus_window) with that row's response.
// The current story's audio and the current participant's responses are cached: the plan
// visits a story's participants and batches consecutively. Used from one thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "distributed/batch_source.h"
#include "io/data/tr_batch_plan.h"
#include "io/fmri/fmri_reader.h"

namespace neuroscale::distributed {

struct FmriSourceOptions {
  double window_s =
      10.0;          ///< stimulus seconds per response row (the reference: 2 s clip + 8 s context)
  bool wrap = true;  ///< continue into the next epoch (training); false: one pass (validation)
};

class FmriSource : public ResumableSource {
 public:
  // `reader` and `plan` must outlive the source; participant index i of the plan is
  // `participants[i]` of the corpus.
  FmriSource(const io::FmriReader& reader, const io::TrBatchPlan& plan,
             std::vector<std::string> participants, io::SamplerPosition start, int rank,
             int world_size, int accumulate, FmriSourceOptions options);

  std::optional<Batch> next(int slot) override;
  io::SamplerPosition position() const override { return position_; }

 private:
  const at::Tensor& audio(const std::string& story);
  const at::Tensor& responses(const std::string& participant, const std::string& story);

  const io::FmriReader& reader_;
  const io::TrBatchPlan& plan_;
  std::vector<std::string> participants_;
  io::SamplerPosition position_;
  int rank_, world_size_, accumulate_;
  FmriSourceOptions options_;
  std::int64_t window_samples_;
  std::vector<io::TrBatch> epoch_batches_;
  std::int64_t loaded_epoch_ = -1;
  std::string audio_story_;
  at::Tensor audio_;
  std::pair<std::string, std::string> responses_key_;
  at::Tensor responses_;
};

}  // namespace neuroscale::distributed
