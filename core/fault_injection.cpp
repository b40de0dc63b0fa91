#include "core/fault_injection.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

namespace neuroscale {

void fault_point(const char* point, std::int64_t step, int rank) {
  const char* spec = std::getenv("NEUROSCALE_FAULT_INJECT");
  if (spec == nullptr || *spec == '\0') return;
  std::string text = spec;
  double sleep_s = -1.0;  // < 0: kill
  if (const auto colon = text.find(":sleep="); colon != std::string::npos) {
    sleep_s = std::atof(text.c_str() + colon + 7);
    text.resize(colon);
  }
  const auto at = text.find('@');
  if (at == std::string::npos || text.compare(0, at, point) != 0 || at != std::string(point).size())
    return;
  const auto slash = text.find('/', at);
  const std::string step_text =
      text.substr(at + 1, slash == std::string::npos ? std::string::npos : slash - at - 1);
  if (step_text != "*" && step_text != std::to_string(step)) return;
  if (slash != std::string::npos && text.substr(slash + 1) != std::to_string(rank)) return;
  if (sleep_s >= 0.0) {
    std::fprintf(
        stderr,
        "neuroscale: NEUROSCALE_FAULT_INJECT=%s: rank %d pausing %.1f s at %s of step %lld\n", spec,
        rank, sleep_s, point, static_cast<long long>(step));
    std::this_thread::sleep_for(std::chrono::duration<double>(sleep_s));
    return;
  }
  std::fprintf(
      stderr, "neuroscale: NEUROSCALE_FAULT_INJECT=%s: rank %d killing itself at %s of step %lld\n",
      spec, rank, point, static_cast<long long>(step));
  std::fflush(stderr);
  ::kill(::getpid(), SIGKILL);
  ::pause();  // SIGKILL cannot be caught: this is never reached
}

}  // namespace neuroscale
