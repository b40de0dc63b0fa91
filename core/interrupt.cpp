#include "core/interrupt.h"

#include <time.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstring>

namespace neuroscale {
namespace {

// See the header: the handler's only channels. Lock-free atomics are safe in a handler.
volatile std::sig_atomic_t g_pending = 0;
std::atomic<std::int64_t> g_last_repeat_ms{
    0};  // when a repeated SIGINT last arrived (CLOCK_MONOTONIC)
static_assert(std::atomic<std::int64_t>::is_always_lock_free,
              "the signal handler needs a lock-free clock slot");

constexpr std::int64_t kInsistWindowMs = 5000;

void say(const char* text) {  // write(2) is async-signal-safe; a short write is not retried
  const ssize_t ignored = ::write(STDERR_FILENO, text, std::strlen(text));
  (void)ignored;
}

std::int64_t now_ms() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

extern "C" void record_signal(int signal) {
  if (g_pending == 0) {
    g_pending = signal;
    return;
  }
  if (signal != SIGINT) {  // a scheduler repeating itself: the stop (and its save) goes on
    say(signal == SIGTERM
            ? "neuroscale: SIGTERM again: the stop in progress goes on (SIGKILL ends it at once)\n"
            : "neuroscale: SIGUSR1 again: the stop in progress goes on (SIGKILL ends it at "
              "once)\n");
    return;
  }
  // A person at a terminal: the first repeated Ctrl-C explains, another within 5 s aborts.
  const std::int64_t now = now_ms(), last = g_last_repeat_ms.exchange(now);
  if (last != 0 && now - last <= kInsistWindowMs) {
    say("neuroscale: aborting without finishing the stop\n");
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
    return;
  }
  say("neuroscale: stopping at the next safe point (a checkpoint may be saving); press Ctrl-C "
      "again within 5 s to "
      "abort at once\n");
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGUSR1, &action, nullptr);
}

const char* signal_name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGUSR1:
      return "SIGUSR1";
    default:
      return "a signal";
  }
}

int pending_interrupt() { return g_pending; }

void throw_if_interrupted(const char* what) {
  const int signal = g_pending;
  if (signal == 0) return;
  throw InterruptedError(std::string(what) + " interrupted by " + signal_name(signal) +
                             "; nothing was written to the output",
                         signal);
}

}  // namespace neuroscale
