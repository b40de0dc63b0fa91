// Who this process is in a parallel job: rank, world size, local rank, host and pid, read
// from the launcher's environment (mpirun: OMPI_COMM_WORLD_*, srun: SLURM_*, PMIx: PMIX_RANK)
// so it is known before MPI is initialised. A process started alone is rank 0 of 1.
#pragma once

#include <string>

namespace neuroscale {

struct ProcessInfo {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string host;
  long pid = 0;

  // "rank 1/4 on node07 (pid 4242)"
  std::string describe() const;
};

// Reads the environment of the calling process. Thread-safe (getenv only).
ProcessInfo detect_process();

// CPU threads the launcher gave each task: OMP_NUM_THREADS when set, else Slurm's
// SLURM_CPUS_PER_TASK, else 0 (no opinion: use every core).
int cpu_threads_from_launcher();

// The batch-system and device variables a run records in its environment file, as
// "NAME=value" lines in a fixed order, only those that are set: Slurm's job, array, restart
// count, nodes, tasks, CPUs and GPUs, and CUDA_VISIBLE_DEVICES / OMP_NUM_THREADS.
std::string launcher_environment();

}  // namespace neuroscale
