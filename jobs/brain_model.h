// The brain-tuning model a braintune config describes, built the same way by `braintune`
// and by `evaluate --task brain-alignment`: the seeded initialisation of backbone, adapters
// and head, the base weights loaded over the backbone, and everything but the adapters and
// the head frozen. Its identity (hashed into checkpoints) covers the model keys, the voxel
// count and the base weights (file, size and XXH64, or the seed of a random backbone).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/log.h"
#include "core/task/brain_tuning.h"
#include "io/checkpoint/model_identity.h"
#include "jobs/schema/braintune_schema.h"

namespace neuroscale::jobs {

struct BrainModel {
  std::unique_ptr<task::BrainTuningTask> task;
  std::string base_reference;  ///< "PATH bytes=N xxh64=H" or "random initialisation (seed S)"
  io::ModelIdentity identity;  ///< what a checkpoint's config hash covers
};

// Seeds LibTorch with `seed`, builds the model for `voxels` outputs and `participants`
// (names for metrics), loads `model.base_weights` when set (DataError naming the file and
// key on a mismatch) and freezes the backbone.
BrainModel build_brain_model(BraintuneModelConfig model, std::int64_t seed, std::int64_t voxels,
                             const std::vector<std::string>& participants, Logger& log);

// Copies the adapters and head of the brain-tuning checkpoint at `path` (a run directory or
// checkpoint; its newest verified one) into `model`, after checking its config hash.
// Returns the checkpoint's step. Throws ConfigError when the checkpoint belongs to another
// model, CheckpointError when a trainable parameter is missing.
std::int64_t load_brain_checkpoint(BrainModel& model, const std::string& path, Logger& log);

// The config.yaml of the brain-tuning run that holds `path` (RUN or RUN/checkpoints/step-N).
BraintuneConfig brain_run_config(const std::string& path);

}  // namespace neuroscale::jobs
