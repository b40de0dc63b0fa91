// The checkpoint directory of a run (docs/checkpoints.md), without any collective: naming,
// listing and verification, shared by the trainer's Checkpointer and `neuroscale ckpt`.
//   <directory>/latest               name of the newest committed checkpoint
//   <directory>/step-NNNNNNNN/       a committed checkpoint (manifest.yaml, shards, states)
//   <directory>/step-NNNNNNNN.tmp/   a save in progress or abandoned: never loaded
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/checkpoint/manifest.h"

namespace neuroscale::io {

// "step-00000080"
std::string checkpoint_name(std::int64_t step);
// "shard-00003.safetensors" / "state-00003.txt"
std::string shard_file_name(int rank);
std::string state_file_name(int rank);

// Names of the committed checkpoints (step-N without a suffix) under `directory`, newest
// first; empty when the directory does not exist.
std::vector<std::string> committed_checkpoints(const std::string& directory);
// The step a checkpoint name or path ends in ("…/step-00000080" -> 80); -1 if it is not one.
std::int64_t checkpoint_step(const std::string& name_or_path);

// Reads and verifies the checkpoint at `path`: the manifest parses, every file exists with
// its size and XXH64 checksum, every tensor's shard is a listed file, and (unless
// `config_hash` is empty) the manifest's config hash is `config_hash`. Returns the manifest;
// throws CheckpointError naming the checkpoint, the file and the failed check.
Manifest verify_checkpoint(const std::string& path, const std::string& config_hash = "");

}  // namespace neuroscale::io
