// A run's checkpoint history (docs/checkpoints.md): `latest` names the newest checkpoint the
// run committed, and each manifest names its parent (the checkpoint the run committed or
// resumed from before it), so the run's checkpoints form one chain. Resume follows the chain
// from `latest`; retention counts only the chain; checkpoints off the chain (an abandoned
// branch after a rollback, another model's, damaged ones) are moved aside to
// `<directory>/off-chain/`, never resumed, counted or deleted. One process, no collectives;
// callers hold the run directory's lock (io/run/run_lock.h).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "io/checkpoint/manifest.h"

namespace neuroscale::io {

// "off-chain": the folder of the checkpoints directory that holds set-aside checkpoints.
extern const char* const kOffChainDirectory;

// The checkpoint a resume starts from: `latest` (or a committed child of it, left by a
// commit that ended between its rename and the update of `latest`), else, going back along
// the chain, the newest one that verifies (verify_checkpoint; the config hash is not
// checked here). Where a link is unknown (a damaged or version-1 manifest) the next older
// committed checkpoint stands in. `on_skip(path, reason)` hears of each one that fails.
// Returns nothing when the directory has no committed checkpoint or none verifies.
std::optional<std::pair<std::string, Manifest>> resume_head(
    const std::string& directory,
    const std::function<void(const std::string&, const std::string&)>& on_skip);

// The chain that ends in checkpoint `head` (a name in `directory`): head, its parent, and so
// on while the parent is present with the recorded checksum, newest first.
std::vector<std::string> history_chain(const std::string& directory, const std::string& head);

// Moves the committed checkpoints of `directory` not in `keep` to `off-chain/` (a name taken
// there gets a ".2", ".3", ... suffix); returns the paths they now have.
std::vector<std::string> set_aside(const std::string& directory,
                                   const std::vector<std::string>& keep);

// The names of the checkpoints under `<directory>/off-chain/`, sorted (none when it is absent).
std::vector<std::string> off_chain_checkpoints(const std::string& directory);

// Removes the step-N.tmp directories of saves that never committed; returns their names.
std::vector<std::string> remove_incomplete(const std::string& directory);

// Atomically points `latest` at checkpoint `name`; removes it when `name` is empty.
void set_latest(const std::string& directory, const std::string& name);

// Removes directory `path` and the files directly inside it (checkpoints are flat).
void remove_checkpoint_directory(const std::string& path);

}  // namespace neuroscale::io
