// Deliberate crashes and stalls at named points, for fault campaigns (scripts/fault-campaign)
// and the tests that must hit a moment no timing can: the environment variable
// NEUROSCALE_FAULT_INJECT="POINT@STEP[/RANK][:sleep=SECONDS]" makes the process that reaches
// POINT while handling checkpoint STEP ("*": any step; on RANK, any rank without it) kill
// itself with SIGKILL, as a lost node would, or with `:sleep=` pause there (slow storage),
// after one line on stderr. Unset, which is always the case outside such tests,
// fault_point() only reads the environment. Points (docs/checkpoints.md):
//   save.written     a rank's background writer, after its shard and state are written
//   commit.manifest  rank 0's commit, after the manifest is written, before the rename
//   commit.renamed   rank 0's commit, after the rename, before `latest` is updated
#pragma once

#include <cstdint>

namespace neuroscale {

// Kills this process (SIGKILL), or pauses, when NEUROSCALE_FAULT_INJECT names this point,
// step and rank.
// Thread-safe; async-signal-safety is not needed (called from ordinary threads).
void fault_point(const char* point, std::int64_t step, int rank);

}  // namespace neuroscale
