// Cooperative handling of SIGINT, SIGTERM and SIGUSR1 (Ctrl-C, scancel, mpirun forwarding a
// kill, Slurm's warning signal):
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

// A training job stopped by a signal after committing a checkpoint: exit code 75
// (EX_TEMPFAIL), which the Slurm scripts read as "requeue me".
class CheckpointedStop : public Error {
 public:
  explicit CheckpointedStop(const std::string& message) : Error(message) {}
  ExitCode exit_code() const override { return ExitCode::kRequeue; }
  const char* kind() const override { return "stopped after checkpoint"; }
};

// The name of a signal the handlers record ("SIGTERM").
const char* signal_name(int signal);

// Installs the handlers for SIGINT, SIGTERM and SIGUSR1 (Slurm's usual warning before a
// time limit or preemption) (idempotent). The first signal is recorded. While it is being
// acted on (a training job saves its checkpoint), a repeated SIGTERM or SIGUSR1 is reported
// on stderr and otherwise ignored: Slurm and launchers signal every task, sometimes twice,
// and only SIGKILL (Slurm's, after KillWait) may cut a save short. A repeated SIGINT is
// reported with a hint; another SIGINT within 5 s of it ends the process at once (a person
// at a terminal insists). docs/cli.md, "Signals".
void install_interrupt_handlers();
// The pending signal number, or 0.
int pending_interrupt();
// Throws InterruptedError ("<what> interrupted by SIGTERM") when a signal is pending.
void throw_if_interrupted(const char* what);

}  // namespace neuroscale
