// Checks an MPI return code at the call: NS_MPI_CHECK(MPI_Barrier(comm)) throws CommError
// with MPI's own error string, the call, and this process's rank and host. Requires the
// communicator's error handler to be MPI_ERRORS_RETURN (MpiContext sets it for the world).
#pragma once

#include <mpi.h>

#include <string>

namespace neuroscale::io {

[[noreturn]] void throw_mpi_error(int code, const char* call, const char* file, int line);

}  // namespace neuroscale::io

#define NS_MPI_CHECK(call)                                                      \
  do {                                                                          \
    int ns_mpi_rc_ = (call);                                                    \
    if (ns_mpi_rc_ != MPI_SUCCESS) {                                            \
      ::neuroscale::io::throw_mpi_error(ns_mpi_rc_, #call, __FILE__, __LINE__); \
    }                                                                           \
  } while (false)
