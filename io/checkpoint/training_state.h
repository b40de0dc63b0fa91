// What a rank needs besides tensors to resume exactly, saved with Boost.Serialization (text
// archive, versioned): the step, the global sampler position, the rank layout it was saved
// with, this rank's random generator states, the learning rate and loss scale in force, and
// (rank 0) the metric history of the run so far.
#pragma once

#include <boost/serialization/version.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "io/fs/atomic_file.h"

namespace neuroscale::io {

struct TrainingState {
  std::int64_t step = 0;               ///< optimizer steps completed
  std::int64_t epoch = 0;              ///< sampler position: epoch
  std::int64_t cursor = 0;             ///< sampler position: global batches consumed in the epoch
  std::int32_t rank = 0;               ///< rank that wrote this state
  std::int32_t world_size = 1;         ///< ranks of the run that saved it
  std::vector<std::uint8_t> cpu_rng;   ///< LibTorch's default CPU generator state
  std::vector<std::uint8_t> cuda_rng;  ///< the CUDA generator state (empty on CPU runs)
  // Version 2:
  double lr = 0.0;          ///< learning rate of the last completed step (the schedule
                            ///< is a pure function of the step; recorded to check it)
  double loss_scale = 1.0;  ///< gradient scaler (1: fp32 and bf16 need none)
  /// logged metric records so far (rank 0), without the machine-dependent throughput values
  /// (which would make identical training give different states) and without non-finite
  /// values (a text archive cannot read them back): step -> name -> value
  std::vector<std::pair<std::int64_t, std::map<std::string, double>>> metrics;

  template <class Archive>
  void serialize(Archive& archive, const unsigned int version) {
    archive& step& epoch& cursor& rank& world_size& cpu_rng& cuda_rng;
    if (version >= 2) archive& lr& loss_scale& metrics;
  }
};

// Writes `state` to `path` (text archive, fsync); returns its size and XXH64. Throws
// DataError naming the file.
FileDigest save_training_state(const TrainingState& state, const std::string& path);
// Reads what save_training_state wrote (class versions 1 and 2), bounding every count and
// length by the size of the file. Throws CheckpointError naming the file and what is wrong
// when it is missing or malformed.
TrainingState load_training_state(const std::string& path);

}  // namespace neuroscale::io

BOOST_CLASS_VERSION(neuroscale::io::TrainingState, 2)
