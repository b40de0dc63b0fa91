// A file written in pieces and published atomically: bytes go to "<path>.tmp.<pid>", and
// commit() fsyncs and renames it to `path`. Until commit() succeeds `path` is untouched; a
// failed or abandoned write removes the temporary file (RAII). Errors are DataErrors naming
// the file and the system's reason (ENOSPC: "No space left on device"). The bytes are
// checksummed (XXH64) as they are written, so nobody has to read the file back to hash it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "io/hash/xxhash64.h"

namespace neuroscale::io {

// Size and XXH64 of a file as written.
struct FileDigest {
  std::uint64_t bytes = 0;
  std::uint64_t xxh64 = 0;
};

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, std::size_t bytes);
  // fsync, close, rename onto `path`; returns what was written.
  FileDigest commit();

 private:
  std::string path_, temp_;
  int fd_ = -1;
  XxHash64 hash_;
  std::uint64_t bytes_ = 0;
  std::uint64_t started_ = 0;  // bytes whose write-back has been started
};

}  // namespace neuroscale::io
