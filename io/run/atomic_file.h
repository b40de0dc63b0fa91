// A file written in pieces and published atomically: bytes go to "<path>.tmp.<pid>", and
// commit() fsyncs and renames it to `path`. Until commit() succeeds `path` is untouched; a
// failed or abandoned write removes the temporary file (RAII). Errors are DataErrors naming
// the file and the system's reason (ENOSPC: "No space left on device").
#pragma once

#include <cstddef>
#include <string>

namespace neuroscale::io {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, std::size_t bytes);
  // fsync, close, rename onto `path`.
  void commit();

 private:
  std::string path_, temp_;
  int fd_ = -1;
};

}  // namespace neuroscale::io
