// What a rank needs besides tensors to resume exactly, saved with Boost.Serialization (text
// archive, versioned): the step, the global sampler position, the rank layout it was saved
// with, and this rank's random generator state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace neuroscale::io {

struct TrainingState {
  std::int64_t step = 0;             ///< optimizer steps completed
  std::int64_t epoch = 0;            ///< sampler position: epoch
  std::int64_t cursor = 0;           ///< sampler position: global batches consumed in the epoch
  std::int32_t rank = 0;             ///< rank that wrote this state
  std::int32_t world_size = 1;       ///< ranks of the run that saved it
  std::vector<std::uint8_t> cpu_rng; ///< LibTorch's default CPU generator state
  std::vector<std::uint8_t> cuda_rng;///< the CUDA generator state (empty on CPU runs)

  template <class Archive>
  void serialize(Archive& archive, const unsigned int /*version*/) {
    archive & step & epoch & cursor & rank & world_size & cpu_rng & cuda_rng;
  }
};

// Writes `state` to `path` (text archive, fsync). Throws DataError naming the file.
void save_training_state(const TrainingState& state, const std::string& path);
// Throws CheckpointError naming the file when it is missing or malformed.
TrainingState load_training_state(const std::string& path);

}  // namespace neuroscale::io
