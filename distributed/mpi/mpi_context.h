// RAII owner of the MPI library for one process: initialises MPI (asking for thread level
// MULTIPLE; thread_level() says what the library granted),
// makes MPI_COMM_WORLD return errors instead of aborting so that NS_MPI_CHECK can report
// them, and finalises on destruction. Works under `mpirun`, `srun --mpi=pmix`, or alone
// (singleton). Exactly one per process, created by the `neuroscale` main.
#pragma once

#include <mpi.h>

#include <string>

namespace neuroscale::distributed {

class MpiContext {
 public:
  MpiContext();
  ~MpiContext();
  MpiContext(const MpiContext&) = delete;
  MpiContext& operator=(const MpiContext&) = delete;

  MPI_Comm world() const { return MPI_COMM_WORLD; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  // Rank among the processes on this host (one GPU per local rank).
  int local_rank() const { return local_rank_; }
  // The MPI_THREAD_* level the library provides.
  int thread_level() const { return thread_level_; }

  // Ends every process of the job with `code` (a failing rank must not leave others waiting
  // in a collective). Never returns.
  [[noreturn]] void abort(int code) const;

 private:
  int rank_ = 0, size_ = 1, local_rank_ = 0, thread_level_ = MPI_THREAD_SINGLE;
};

// "Open MPI v4.1.4, package: Debian OpenMPI, ... (MPI 3.1)". Callable before MPI_Init.
std::string mpi_library_version();

}  // namespace neuroscale::distributed
