#include "core/interrupt.h"

#include <csignal>
#include <cstring>
#include <unistd.h>

namespace neuroscale {
namespace {

volatile std::sig_atomic_t g_pending = 0;  // see the header: the handler's only channel

extern "C" void record_signal(int signal) {
  if (g_pending == signal) {
    std::signal(signal, SIG_DFL);  // second time: leave now
    std::raise(signal);
    return;
  }
  g_pending = signal;
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
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGUSR1: return "SIGUSR1";
    default: return "a signal";
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
