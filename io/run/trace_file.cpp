#include "io/run/trace_file.h"

#include <cstdio>
#include <exception>

#include "io/fs/files.h"

namespace neuroscale::io {

TraceFile::TraceFile(const Tracer* tracer, const std::string& run_dir, int rank, Logger& log)
    : tracer_(tracer), log_(log) {
  if (!tracer_) return;
  char name[32];
  std::snprintf(name, sizeof(name), "rank-%05d.json", rank);
  directory_ = run_dir + "/traces";
  path_ = directory_ + "/" + name;
}

TraceFile::~TraceFile() {
  if (!tracer_) return;
  try {
    write();
  } catch (const std::exception& error) {
    log_.warn("trace not written: ", error.what());
  }
}

void TraceFile::write() {
  if (!tracer_) return;
  const Tracer* tracer = tracer_;
  tracer_ = nullptr;  // once, whatever happens
  create_directories(directory_);
  write_file_atomically(path_, tracer->to_json());
  log_.debug(
      "trace of ", tracer->size(), " events written to ", path_,
      tracer->dropped() ? " (" + std::to_string(tracer->dropped()) + " dropped)" : std::string());
}

}  // namespace neuroscale::io
