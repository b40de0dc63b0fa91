// The resident memory of the benchmark's own process, from /proc/self/status.
#pragma once

#include <fstream>
#include <string>

namespace neuroscale::bench {

// A field of /proc/self/status in KiB ("VmHWM:" the peak resident memory, "VmRSS:" the
// current); -1 when absent.
inline long status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
  }
  return -1;
}

}  // namespace neuroscale::bench
