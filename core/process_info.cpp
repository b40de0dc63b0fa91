#include "core/process_info.h"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace neuroscale {
namespace {

// The first of `names` that is set and parses as a non-negative integer.
int env_int(std::initializer_list<const char*> names, int fallback) {
  for (const char* name : names) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') continue;
    char* end = nullptr;
    long parsed = std::strtol(value, &end, 10);
    if (*end == '\0' && parsed >= 0) return static_cast<int>(parsed);
  }
  return fallback;
}

}  // namespace

std::string ProcessInfo::describe() const {
  std::ostringstream out;
  out << "rank " << rank << "/" << world_size << " on " << host << " (pid " << pid << ")";
  return out.str();
}

ProcessInfo detect_process() {
  ProcessInfo info;
  info.rank = env_int({"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}, 0);
  info.world_size = env_int({"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS"}, 1);
  info.local_rank = env_int({"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"}, 0);
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0) info.host = host;
  if (info.host.empty()) info.host = "unknown-host";
  info.pid = static_cast<long>(getpid());
  return info;
}

int cpu_threads_from_launcher() {
  const int omp = env_int({"OMP_NUM_THREADS"}, 0);
  return omp > 0 ? omp : env_int({"SLURM_CPUS_PER_TASK"}, 0);
}

std::string launcher_environment() {
  static const char* const kNames[] = {
      "SLURM_JOB_ID",         "SLURM_JOB_NAME",      "SLURM_ARRAY_JOB_ID",    "SLURM_ARRAY_TASK_ID",
      "SLURM_RESTART_COUNT",  "SLURM_JOB_PARTITION", "SLURM_JOB_ACCOUNT",     "SLURM_JOB_NUM_NODES",
      "SLURM_JOB_NODELIST",   "SLURM_NTASKS",        "SLURM_NTASKS_PER_NODE", "SLURM_CPUS_PER_TASK",
      "SLURM_GPUS_ON_NODE",   "SLURM_GPUS_PER_NODE", "SLURM_JOB_GPUS",        "SLURM_SUBMIT_DIR",
      "CUDA_VISIBLE_DEVICES", "OMP_NUM_THREADS"};
  std::string text;
  for (const char* name : kNames) {
    const char* value = std::getenv(name);
    if (value != nullptr) text += std::string(name) + "=" + value + "\n";
  }
  return text;
}

}  // namespace neuroscale
