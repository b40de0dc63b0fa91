// A job's run directory: the resolved config, the environment it ran in, one log file per
// rank, and (for training jobs) metrics and checkpoints. Layout:
//   <dir>/config.yaml        the fully resolved config (written by rank 0)
//   <dir>/environment.txt    command line, world size, library versions (rank 0)
//   <dir>/logs/rank-NNNNN.log
// Files are written to a temporary name, flushed to disk and renamed, so a reader never
// sees a half-written file and an earlier version survives a crash.
#pragma once

#include <string>

namespace neuroscale::io {

class RunDirectory {
 public:
  // Creates `path` and `path/logs` if needed (safe to call from every rank at once).
  // Throws DataError naming the directory when it cannot be created or is not writable.
  explicit RunDirectory(std::string path);

  const std::string& path() const { return path_; }
  // "<dir>/logs/rank-00003.log"
  std::string log_path(int rank) const;
  // Atomically replaces "<dir>/<name>" with `contents`.
  void write_file(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

}  // namespace neuroscale::io
