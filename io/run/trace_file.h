// RUN_DIR/traces/rank-NNNNN.json: one rank's timeline (core/trace.h, Chrome trace format),
// written when training ends: normally and after a signal by write(), by the destructor when
// an error unwinds the training, so a failed run keeps the timeline up to the failure (a
// write error then is only a warning: the training error is the one reported).
#pragma once

#include <string>

#include "core/log.h"
#include "core/trace.h"

namespace neuroscale::io {

class TraceFile {
 public:
  // `tracer` null: tracing is off and nothing is written. `tracer` must outlive this.
  TraceFile(const Tracer* tracer, const std::string& run_dir, int rank, Logger& log);
  ~TraceFile();
  TraceFile(const TraceFile&) = delete;
  TraceFile& operator=(const TraceFile&) = delete;

  // Writes the timeline atomically (once; later calls and the destructor do nothing).
  // Throws DataError naming the file.
  void write();

 private:
  const Tracer* tracer_;
  Logger& log_;
  std::string directory_, path_;
};

}  // namespace neuroscale::io
