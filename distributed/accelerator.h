// What this build and this machine offer for GPU work: the NCCL backend (compiled or not),
// NCCL's version, CUDA devices. The one place with backend #ifs; everything else calls this.
#pragma once

#include <c10/core/Device.h>

#include <string>

namespace neuroscale::distributed {

// True when the NCCL/CUDA backend is compiled in (NEUROSCALE_WITH_NCCL).
bool nccl_compiled();
// "NCCL 2.27.7 (CUDA runtime 13.0)" or "NCCL: not compiled".
std::string nccl_version();
// CUDA devices visible to this process; 0 without the backend or without a GPU (never throws).
int cuda_device_count();
// Why GPU tests and the NCCL backend cannot run here, or "" when they can.
std::string no_gpu_reason();
// Binds this process to GPU `local_rank % devices` and returns the device index.
// Throws CommError when there is no device.
int select_cuda_device(int local_rank);
// The device a job's `device` key names: "cpu", or "cuda" (this local rank's GPU, bound as
// select_cuda_device does).
at::Device job_device(const std::string& name, int local_rank);

}  // namespace neuroscale::distributed
