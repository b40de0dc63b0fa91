#include "core/host_allocator.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace neuroscale {

bool tune_host_allocator() {
  for (const char* chosen : {"MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"})
    if (std::getenv(chosen) != nullptr) return false;
  const char* switch_value = std::getenv("NEUROSCALE_MALLOC_TUNING");
  if (switch_value != nullptr && std::strcmp(switch_value, "0") == 0) return false;
  // glibc refuses a threshold above half its heap size (64 MiB on 64-bit): 32 MiB is the most.
  constexpr int kMmapThreshold = 32 << 20, kTrimThreshold = 256 << 20;
  return mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1 &&
         mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1;
}

}  // namespace neuroscale
