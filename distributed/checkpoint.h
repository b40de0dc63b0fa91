// Sharded, atomic, verified checkpoints (docs/checkpoints.md). Layout under `directory`:
//   step-NNNNNNNN/manifest.yaml           written last, by rank 0
//   step-NNNNNNNN/shard-RRRRR.safetensors the tensors rank R owns (each tensor in one shard)
//   step-NNNNNNNN/state-RRRRR.txt         rank R's training state (Boost.Serialization)
//   latest                                 the newest committed step directory's name
// Tensors (parameters and optimiser state) are assigned to ranks by size, so each is written
// once and the writing is spread over the ranks. Commit: every rank writes into
// step-N.tmp/, checksums are gathered, rank 0 writes the manifest, fsyncs, renames the
// directory to step-N/ and then replaces `latest`. A crash leaves either the old or the new
// checkpoint, never a half one that looks complete. All methods are collective.
#pragma once

#include <memory>
#include <string>

#include "core/log.h"
#include "distributed/communicator.h"
#include "io/checkpoint/training_state.h"
#include "io/tensors/safetensors.h"

namespace neuroscale::distributed {

struct CheckpointOptions {
  std::string directory;     ///< RUN_DIR/checkpoints
  int keep = 3;              ///< committed checkpoints kept (older ones deleted; >= 1)
  std::string config_hash;   ///< identifies the model config; a mismatch refuses to load
  std::string code_version;  ///< recorded in the manifest
};

class Checkpointer {
 public:
  Checkpointer(CheckpointOptions options, Communicator& comm, Logger& log);

  // Saves `tensors` (identical names on every rank) and this rank's `state` as step `step`.
  // Retention never deletes the checkpoint the run resumed from.
  void save(std::int64_t step, const io::NamedTensors& tensors, const io::TrainingState& state);

  // The newest checkpoint under the directory whose manifest and checksums verify, or ""
  // when there is none. Each one that fails is reported (which file, which check) and skipped.
  std::string find_latest_valid();
  // Verifies `path` (a step directory); throws CheckpointError naming the failed check.
  void verify(const std::string& path) const;

  // Copies every tensor of `tensors` from checkpoint `path` (names, shapes and dtypes must
  // match, and the config hash) and returns this rank's training state: its own when the
  // world size is unchanged, else rank 0's with the random generator state cleared.
  io::TrainingState load(const std::string& path, const io::NamedTensors& tensors);

  void protect(const std::string& path) { protected_ = path; }

 private:
  void retain();
  CheckpointOptions options_;
  Communicator& comm_;
  Logger& log_;
  std::string protected_;
};

}  // namespace neuroscale::distributed
