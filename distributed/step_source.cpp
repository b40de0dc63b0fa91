#include "distributed/step_source.h"

namespace neuroscale::distributed {

StepSource::StepSource(const io::GlobalSampler& sampler, io::SamplerPosition start, int rank,
                       int world_size, int accumulate, bool one_pass, bool whole_step)
    : sampler_(sampler),
      position_(start),
      rank_(rank),
      world_size_(world_size),
      accumulate_(accumulate),
      one_pass_(one_pass),
      whole_step_(whole_step) {}

std::optional<Batch> StepSource::next(int slot) {
  if (slot == 0) fill_step();
  if (slot < 0 || slot >= static_cast<int>(step_.size()) ||
      !step_[static_cast<std::size_t>(slot)]) {
    return std::nullopt;
  }
  return collate(*step_[static_cast<std::size_t>(slot)]);
}

void StepSource::fill_step() {
  step_.assign(static_cast<std::size_t>(accumulate_), std::nullopt);
  if (one_pass_ && position_.epoch > 0) return;  // validation: one epoch only
  const int virtual_ranks = world_size_ * accumulate_;
  const int first = whole_step_ ? 0 : rank_ * accumulate_;
  const int last = whole_step_ ? virtual_ranks : first + accumulate_;
  std::vector<std::optional<io::MicroBatch>> drawn;
  // Every draw starts from the step's position and advances it the same way.
  io::SamplerPosition after = position_;
  for (int v = first; v < last; ++v) {
    after = position_;
    drawn.push_back(sampler_.next(after, v, virtual_ranks));
    if (v / accumulate_ == rank_) step_[static_cast<std::size_t>(v % accumulate_)] = drawn.back();
  }
  begin_step(position_.epoch, drawn);
  position_ = after;
}

}  // namespace neuroscale::distributed
