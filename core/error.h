// The neuroscale error hierarchy. Every failure a user can cause or meet is one of these
// types; each carries a one-line message for the user, the source location for --verbose,
// and the process exit code the `neuroscale` executable returns for it.
#pragma once

#include <stdexcept>
#include <string>

namespace neuroscale {

// Exit codes of the `neuroscale` executable (documented in docs/cli.md).
enum class ExitCode : int {
  kOk = 0,
  kFailure = 1,     // an error of no more specific kind
  kUsage = 2,       // bad command line or configuration
  kData = 3,        // unreadable or invalid data file
  kComm = 4,        // MPI / NCCL / CUDA failure
  kCheckpoint = 5,  // checkpoint missing, corrupt or incompatible
  kBusy = 6,        // the run directory is in use by another job (its lock is held)
  kDiverged = 7,    // training stopped: too many consecutive non-finite steps
  kInternal = 70,   // a bug in neuroscale (EX_SOFTWARE)
  kRequeue = 75,    // stopped by a signal after saving a checkpoint: requeue me (EX_TEMPFAIL)
};

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
  // Source location of the throw ("io/corpus/reader.cpp:42"); empty when unknown.
  const std::string& where() const { return where_; }
  void set_where(std::string where) { where_ = std::move(where); }
  virtual ExitCode exit_code() const { return ExitCode::kFailure; }
  virtual const char* kind() const { return "error"; }

 private:
  std::string where_;
};

#define NEUROSCALE_DECLARE_ERROR(Name, code, label)                \
  class Name : public Error {                                      \
   public:                                                         \
    using Error::Error;                                            \
    ExitCode exit_code() const override { return ExitCode::code; } \
    const char* kind() const override { return label; }            \
  }

NEUROSCALE_DECLARE_ERROR(UsageError, kUsage, "usage error");
NEUROSCALE_DECLARE_ERROR(ConfigError, kUsage, "config error");
NEUROSCALE_DECLARE_ERROR(DataError, kData, "data error");
NEUROSCALE_DECLARE_ERROR(CommError, kComm, "communication error");
NEUROSCALE_DECLARE_ERROR(CheckpointError, kCheckpoint, "checkpoint error");
NEUROSCALE_DECLARE_ERROR(BusyError, kBusy, "run directory in use");
NEUROSCALE_DECLARE_ERROR(DivergedError, kDiverged, "training diverged");
NEUROSCALE_DECLARE_ERROR(InternalError, kInternal, "internal error");

#undef NEUROSCALE_DECLARE_ERROR

}  // namespace neuroscale
