#include "distributed/accelerator.h"

#include "core/check.h"
#include "neuroscale/build_config.h"

#if NEUROSCALE_HAVE_NCCL
#include "distributed/nccl/nccl_check.h"
#endif

namespace neuroscale::distributed {

bool nccl_compiled() { return NEUROSCALE_HAVE_NCCL != 0; }

#if NEUROSCALE_HAVE_NCCL

std::string nccl_version() {
  int code = 0;
  if (ncclGetVersion(&code) != ncclSuccess) return "NCCL (version unknown)";
  // Since NCCL 2.9: code = major * 10000 + minor * 100 + patch.
  std::string version = "NCCL " + std::to_string(code / 10000) + "." +
                        std::to_string(code / 100 % 100) + "." + std::to_string(code % 100);
  int runtime = 0;
  if (cudaRuntimeGetVersion(&runtime) == cudaSuccess) {
    version += " (CUDA runtime " + std::to_string(runtime / 1000) + "." +
               std::to_string(runtime % 1000 / 10) + ")";
  }
  return version;
}

int cuda_device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error of a driver-less machine
    return 0;
  }
  return count;
}

std::string no_gpu_reason() {
  int count = 0;
  cudaError_t rc = cudaGetDeviceCount(&count);
  if (rc != cudaSuccess) {
    cudaGetLastError();
    return std::string("no usable CUDA device (") + cudaGetErrorString(rc) + ")";
  }
  return count == 0 ? "no CUDA device on this machine" : "";
}

int select_cuda_device(int local_rank) {
  const int count = cuda_device_count();
  NS_CHECK_AS(CommError, count > 0, "cannot select a GPU for local rank ", local_rank, ": ",
              no_gpu_reason());
  const int device = local_rank % count;
  NS_CUDA_CHECK(cudaSetDevice(device));
  return device;
}

#else

std::string nccl_version() {
  return "NCCL: not compiled (built with NEUROSCALE_WITH_NCCL=OFF or without CUDA/NCCL)";
}
int cuda_device_count() { return 0; }
std::string no_gpu_reason() { return "the NCCL/CUDA backend is not compiled into this build"; }
int select_cuda_device(int local_rank) {
  NS_THROW(CommError, "cannot select a GPU for local rank ", local_rank, ": ", no_gpu_reason());
}

#endif

at::Device job_device(const std::string& name, int local_rank) {
  return name == "cuda"
             ? at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(select_cuda_device(local_rank)))
             : at::Device(at::kCPU);
}

}  // namespace neuroscale::distributed
