// Reading checkpoints outside a training job (`neuroscale ckpt`, docs/checkpoints.md): what
// a path a user gives names (a run directory, its checkpoints/ directory or one step-N/
// checkpoint), the checkpoints it stands for, a quick check without checksums, the newest
// checkpoint that verifies, and a verified checkpoint's tensors read from their shards.
// One process, no collectives; nothing here writes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "io/checkpoint/manifest.h"
#include "io/tensors/safetensors.h"

namespace neuroscale::io {

struct CheckpointLocation {
  std::string directory;  ///< the checkpoints directory (the one holding `latest`)
  std::string step;       ///< the step directory the path named; empty when it names them all
};

// Resolves `path`: a directory with checkpoints/ inside is a run directory; a step-N
// directory, or any directory with a manifest.yaml, is one checkpoint; a directory named
// checkpoints, or holding `latest` or step-N entries, is a checkpoints directory. Throws
// CheckpointError naming `path` and what was expected otherwise, and for a step-N.tmp
// directory (never committed).
CheckpointLocation locate_checkpoints(const std::string& path);

// "step-00000080.tmp": a save in progress or abandoned.
bool is_incomplete_checkpoint(const std::string& name);
// Names of the step-N.tmp entries of `directory`, sorted.
std::vector<std::string> incomplete_checkpoints(const std::string& directory);

// The checkpoint the location names, or every committed one, newest first (paths).
std::vector<std::string> checkpoint_paths(const CheckpointLocation& location);

// The checkpoint `latest` names ("step-00000080"); "" when there is no `latest`.
std::string latest_checkpoint(const std::string& directory);

// Bytes of the regular files directly inside `directory` (checkpoints are flat).
std::uint64_t directory_bytes(const std::string& directory);

// "" when the manifest reads and every file it lists exists with its size; otherwise the
// reason. Checksums are not computed (verify_checkpoint does that).
std::string quick_check(const std::string& path);

// The checkpoint `location` stands for, verified (verify_checkpoint), with its manifest: the
// one it names, or the run's newest along its history (resume_head in
// io/checkpoint/checkpoint_history.h). `on_skip(path, reason)` hears of each newer one that
// fails. Throws CheckpointError when there is none, or none verifies.
std::pair<std::string, Manifest> newest_verified_checkpoint(
    const CheckpointLocation& location,
    const std::function<void(const std::string&, const std::string&)>& on_skip);

// The tensors of checkpoint `path` that `select` accepts, in manifest order, read from
// their shards; each must be in the shard the manifest names with the manifest's dtype and
// shape (CheckpointError naming the shard otherwise). Verify the checkpoint first.
NamedTensors read_checkpoint_tensors(const std::string& path, const Manifest& manifest,
                                     const std::function<bool(const std::string&)>& select);

}  // namespace neuroscale::io
