#include "distributed/mpi/mpi_context.h"

#include <cstdlib>

#include "core/check.h"
#include "io/mpi/mpi_check.h"

namespace neuroscale::distributed {

MpiContext::MpiContext() {
  int initialized = 0;
  NS_MPI_CHECK(MPI_Initialized(&initialized));
  NS_ASSERT(!initialized, "MPI is already initialised: create exactly one MpiContext");
  int provided = 0;
  // MPI_Init_thread's error handler is not settable yet; a failure here aborts inside MPI.
  // MULTIPLE lets the communicator's thread run collectives while the training thread uses
  // MPI elsewhere (parallel HDF5); the communicator itself needs only SERIALIZED.
  NS_MPI_CHECK(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided));
  thread_level_ = provided;
  NS_MPI_CHECK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
  NS_MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &rank_));
  NS_MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &size_));
  MPI_Comm node = MPI_COMM_NULL;
  NS_MPI_CHECK(
      MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node));
  NS_MPI_CHECK(MPI_Comm_rank(node, &local_rank_));
  NS_MPI_CHECK(MPI_Comm_free(&node));
}

MpiContext::~MpiContext() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void MpiContext::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);  // MPI_Abort does not return; this is for a broken MPI only
}

std::string mpi_library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  if (MPI_Get_library_version(text, &length) != MPI_SUCCESS) return "unknown MPI";
  std::string version(text, static_cast<std::size_t>(length));
  while (!version.empty() && (version.back() == '\n' || version.back() == '\0')) version.pop_back();
  int major = 0, minor = 0;
  MPI_Get_version(&major, &minor);
  return version + " (MPI " + std::to_string(major) + "." + std::to_string(minor) + ")";
}

}  // namespace neuroscale::distributed
