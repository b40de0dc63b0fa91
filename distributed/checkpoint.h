// Sharded, atomic, verified, asynchronous checkpoints (docs/checkpoints.md). Layout under
// `directory` (names in io/checkpoint/checkpoint_dir.h):
//   step-NNNNNNNN/manifest.yaml            written last, by rank 0
//   step-NNNNNNNN/shard-RRRRR.safetensors  the tensors rank R writes (each tensor in one shard)
//   step-NNNNNNNN/state-RRRRR.txt          rank R's training state (Boost.Serialization)
//   latest                                 the newest committed step directory's name
//   off-chain/                             checkpoints set aside: not this run's history
// Each manifest names its parent, so the run's checkpoints form one chain that resume and
// retention follow (io/checkpoint/checkpoint_history.h); begin() decides where a launch
// starts and sets aside what is off the chain.
// Rank R's shard holds its own optimiser partition (ZeRO-1: no rank holds or writes all of
// it) and its share of the replicated parameters, dealt out by size so the bytes per rank
// even out. Commit: every rank writes into step-N.tmp/, the ranks gather sizes and checksums
// and agree that all writes succeeded, then rank 0 writes the manifest, fsyncs, renames the
// directory to step-N/ and replaces `latest`. A crash or a failed write leaves the previous
// checkpoint as the newest, never a half one that looks complete.
//
// Asynchronous saves: save() hands what this rank writes to a background thread, which
// first copies it into host staging buffers (the snapshot) and then writes the files while
// training continues. The snapshot overlaps the next step's forward and backward: before
// the next optimiser update changes parameters or state, the trainer calls
// wait_for_snapshot(), so a save stalls training at most by the part of the copy that is
// not hidden. poll() at every step boundary commits once every rank is done, and a second
// save() first waits for the first.
// All methods are collective: every rank calls them in the same order.
#pragma once

#include <future>
#include <memory>
#include <string>

#include "core/log.h"
#include "distributed/communicator.h"
#include "distributed/training_options.h"
#include "io/checkpoint/model_identity.h"
#include "io/checkpoint/training_state.h"
#include "io/tensors/safetensors.h"

namespace neuroscale::distributed {

struct CheckpointOptions {
  std::string directory;  ///< RUN_DIR/checkpoints
  CheckpointPolicy
      policy;  ///< the config's checkpoint: section (retention, async; every_steps is the caller's)
  io::ModelIdentity
      identity;  ///< the model; a checkpoint of another refuses to load (empty: not checked)
  std::string code_version;      ///< recorded in the manifest
  std::string base_weights;      ///< recorded in the manifest (io::Manifest::base_weights)
  at::Device device = at::kCPU;  ///< where the communicator's tensors live (cuda for NCCL)
};

// What one rank saves or loads.
struct CheckpointContent {
  io::NamedTensors
      replicated;          ///< identical on every rank (parameters): each written once, by one rank
  io::NamedTensors owned;  ///< this rank's alone (its optimiser partition): written by this rank
  io::TrainingState state;  ///< this rank's training state
};

class Checkpointer {
 public:
  Checkpointer(CheckpointOptions options, Communicator& comm, Logger& log);
  ~Checkpointer();  // waits for a background write; an uncommitted save stays uncommitted
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Starts saving `content` as step `step`: finishes a previous save first, creates
  // step-N.tmp/, copies the tensors this rank writes to host memory and writes them (in the
  // background when async; otherwise the save is committed before this returns). Returns
  // seconds this call blocked. A failure is handled as in poll().
  double save(std::int64_t step, const CheckpointContent& content);
  // Blocks until the pending save's snapshot is taken (not collective; call before anything
  // modifies the saved tensors). Returns seconds waited.
  double wait_for_snapshot();
  // Commits the pending save once every rank has written its files (rank 0 renames and
  // fsyncs in the background); false when there is none or it is still being written. A save that
  // failed on any rank (disk full, directory not writable) is reported on every rank with the rank,
  // file and reason, its temporary directory is removed, the previous checkpoint stays the newest,
  // and training goes on.
  bool poll();
  // Waits for the pending save and commits it. Throws CheckpointError when it failed (the
  // message says which rank and file, and that the previous checkpoint is intact).
  void wait();

  // Where this launch starts, given --resume: "auto" follows the run's history from
  // `latest` back along its chain to the newest checkpoint that verifies (each one that fails
  // is reported and skipped); "none" starts the run over; a path resumes that checkpoint (a
  // rollback when it is one of this run's). Returns the checkpoint to load(), or "" for
  // step 0. Committed checkpoints off the resulting chain are moved to off-chain/ (logged),
  // `latest` is pointed at the start, abandoned step-N.tmp saves are removed. Throws
  // CheckpointError, before anything is moved, when the checkpoint to resume was saved by
  // another model configuration (naming the keys that differ) or a named one fails
  // verification. Rank 0 decides; collective.
  std::string begin(const std::string& resume);

  // Loads checkpoint `path` (rank 0 verifies it first) into `target`: its replicated and
  // owned tensors by name, whichever shard and world size wrote them (names, shapes and
  // dtypes must match, and the config hash). Returns this rank's training state: its own
  // when the world size is unchanged, else rank 0's with the generator states cleared.
  // The loaded checkpoint is protected from retention.
  io::TrainingState load(const std::string& path, const CheckpointContent& target);

 private:
  struct Written {  // one rank's result of writing its two files
    std::uint64_t shard_bytes = 0, shard_xxh64 = 0, state_bytes = 0, state_xxh64 = 0;
  };
  struct Pending {
    std::int64_t step = 0;
    std::string temp_dir, final_dir;
    std::future<Written> writer;
    std::shared_future<void> snapshot;  // ready once the tensors are copied
    std::string listing;                // this rank's tensors: "name\tdtype\td0,d1,...\n" each
  };
  // Finishes the pending save: gathers results, then commits or cleans up. With `agree`,
  // rank 0 commits at once and every rank learns the outcome; returns "" on success, else
  // the failure message (the same on every rank). Without, rank 0 commits in the
  // background (settle_commit() reports it) and "" is returned unless a write failed.
  std::string finish(bool agree);
  // Rank 0: waits for a background commit and logs its outcome (not collective).
  void settle_commit();
  void commit(const Pending& pending, const std::vector<Written>& results,
              const std::vector<std::string>& listings);
  // Small collectives on the communicator's device.
  std::vector<std::int64_t> allgather_numbers(const std::vector<std::int64_t>& mine);
  std::vector<std::string> allgather_text(const std::string& mine);  // every rank's text
  void retain();
  std::string newest_committed() const;

  CheckpointOptions options_;
  Communicator& comm_;
  Logger& log_;
  std::string protected_;
  // The newest checkpoint of this run's history (a name in directory, an outside path, or
  // "") and its manifest checksum: the parent of the next commit. Rank 0; the commit
  // thread updates it, one commit at a time.
  std::string head_name_;
  std::uint64_t head_checksum_ = 0;
  std::unique_ptr<Pending> pending_;
  std::future<std::string>
      committing_;  // rank 0: a commit running in the background ("" or why it failed)
  std::int64_t committing_step_ = 0;
  std::future<void> retention_;  // rank 0: deleting checkpoints beyond `keep`, in the background
  std::string failed_;           // why the most recent save failed ("" when it committed)
  io::NamedTensors staging_;     // host copies of the last async save, reused by the next
};

}  // namespace neuroscale::distributed
