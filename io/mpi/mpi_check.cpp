#include "io/mpi/mpi_check.h"

#include "core/check.h"
#include "core/process_info.h"

namespace neuroscale::io {

void throw_mpi_error(int code, const char* call, const char* file, int line) {
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) {
    std::snprintf(text, sizeof(text), "MPI error code %d", code);
  }
  detail::throw_error<CommError>(
      file, line, detail::concat(call, " failed: ", text, " [", detect_process().describe(), "]"));
}

}  // namespace neuroscale::io
