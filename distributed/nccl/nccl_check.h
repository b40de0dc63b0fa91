// Return-code checks for NCCL and the CUDA runtime, with the library's own message and this
// process's rank and host. Compiled only when NEUROSCALE_HAVE_NCCL.
#pragma once

#include <cuda_runtime.h>
#include <nccl.h>

namespace neuroscale::distributed {

[[noreturn]] void throw_nccl_error(ncclResult_t code, const char* call, const char* file, int line);
[[noreturn]] void throw_cuda_error(cudaError_t code, const char* call, const char* file, int line);

}  // namespace neuroscale::distributed

#define NS_NCCL_CHECK(call)                                                                \
  do {                                                                                     \
    ncclResult_t ns_nccl_rc_ = (call);                                                     \
    if (ns_nccl_rc_ != ncclSuccess) {                                                      \
      ::neuroscale::distributed::throw_nccl_error(ns_nccl_rc_, #call, __FILE__, __LINE__); \
    }                                                                                      \
  } while (false)

#define NS_CUDA_CHECK(call)                                                                \
  do {                                                                                     \
    cudaError_t ns_cuda_rc_ = (call);                                                      \
    if (ns_cuda_rc_ != cudaSuccess) {                                                      \
      ::neuroscale::distributed::throw_cuda_error(ns_cuda_rc_, #call, __FILE__, __LINE__); \
    }                                                                                      \
  } while (false)
