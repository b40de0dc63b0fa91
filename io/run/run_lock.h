// One job per run directory: an exclusive lock on `<run dir>/job.lock`, held by rank 0 for the
// job's lifetime. The lock is flock(2): the kernel releases it when the holder exits, however
// it exits (SIGKILL and node loss included), so a dead job never blocks its requeue. The
// file's text names the holder (host, pid, Slurm job, start time) for the message a second
// job gets. On NFS, Linux implements flock as a whole-file POSIX lock through the server
// (NFSv3 NLM, NFSv4 leases), so it holds across nodes; a lock of a node that died is freed
// when the server expires its lease (NFSv4: about 90 s), which is why the same Slurm job
// (a requeue) waits for it. On Lustre it holds across nodes only when mounted with `flock`
// (with `localflock`, within one node); where the file system refuses locks the job goes on
// with a warning (docs/checkpoints.md, "One job per run directory").
#pragma once

#include <chrono>
#include <string>

namespace neuroscale::io {

struct RunLockOptions {
  std::string holder;  ///< who takes it, written into the file ("host=... pid=... slurm_job=...")
  std::string slurm_job;  ///< this job's SLURM_JOB_ID ("" outside Slurm)
  /// how long a job waits for a lock held by its own Slurm job id (an earlier incarnation of
  /// a requeued job whose node died): long enough for an NFS lease to expire
  std::chrono::seconds same_job_wait{120};
};

class RunLock {
 public:
  // Takes the lock of run directory `run_dir` (which must exist). Throws BusyError naming the
  // directory and the holder when another job holds it, DataError when the file cannot be
  // opened or written.
  RunLock(const std::string& run_dir, const RunLockOptions& options);
  ~RunLock();  // releases the lock; the file stays (its text is stale from then on)
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  const std::string& path() const { return path_; }
  // Why the lock could not be taken although the directory is usable ("" when it is held):
  // the file system does not support locks. The caller warns the user.
  const std::string& unsupported() const { return unsupported_; }

 private:
  std::string path_;
  std::string unsupported_;
  int fd_ = -1;
};

// "host=node07 pid=4242 slurm_job=123456 started=2026-12-03T09:30:00Z": the holder text of
// this process.
std::string run_lock_holder(const std::string& host, long pid, const std::string& slurm_job);

}  // namespace neuroscale::io
