// Cooperative handling of SIGINT and SIGTERM (Ctrl-C, scancel, mpirun forwarding a kill):
// the handler only records the signal; long loops call throw_if_interrupted() at safe
// points, so the usual unwinding removes temporary outputs and the process exits with
// 128 + signal, as a shell would report it. The recorded signal is the one piece of
// process-global state here: a signal handler can reach nothing else.
#pragma once

#include <string>

#include "core/error.h"

namespace neuroscale {

class InterruptedError : public Error {
 public:
  InterruptedError(const std::string& message, int signal) : Error(message), signal_(signal) {}
  ExitCode exit_code() const override { return static_cast<ExitCode>(128 + signal_); }
  const char* kind() const override { return "interrupted"; }
  int signal() const { return signal_; }

 private:
  int signal_;
};

// Installs the handlers for SIGINT and SIGTERM (idempotent). A second signal of the same
// kind while one is pending ends the process at once (the user insists).
void install_interrupt_handlers();
// The pending signal number, or 0.
int pending_interrupt();
// Throws InterruptedError ("<what> interrupted by SIGTERM") when a signal is pending.
void throw_if_interrupted(const char* what);

}  // namespace neuroscale
