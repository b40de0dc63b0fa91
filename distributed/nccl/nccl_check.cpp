#include "distributed/nccl/nccl_check.h"

#include "core/check.h"
#include "core/process_info.h"

namespace neuroscale::distributed {

void throw_nccl_error(ncclResult_t code, const char* call, const char* file, int line) {
  detail::throw_error<CommError>(file, line,
                                 detail::concat(call, " failed: ", ncclGetErrorString(code), " [",
                                                detect_process().describe(), "]"));
}

void throw_cuda_error(cudaError_t code, const char* call, const char* file, int line) {
  detail::throw_error<CommError>(
      file, line,
      detail::concat(call, " failed: ", cudaGetErrorName(code), ": ", cudaGetErrorString(code),
                     " [", detect_process().describe(), "]"));
}

}  // namespace neuroscale::distributed
