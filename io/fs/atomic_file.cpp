#include "io/fs/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/check.h"

namespace neuroscale::io {

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  temp_ = path_ + ".tmp." + std::to_string(::getpid());
  fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  NS_CHECK_AS(DataError, fd_ >= 0, "cannot write '", temp_, "': ", std::strerror(errno));
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(temp_.c_str());
  }
}

void AtomicFile::write(const void* data, std::size_t bytes) {
  NS_ASSERT(fd_ >= 0, "write after commit of '", path_, "'");
  // In pieces that stay in cache between hashing and writing: one pass over memory.
  constexpr std::size_t kPiece = 1 << 20;
  const auto* p = static_cast<const char*>(data);
  while (bytes > 0) {
    std::size_t piece = std::min(bytes, kPiece);
    hash_.update(p, piece);
    bytes -= piece;
    bytes_ += piece;
    while (piece > 0) {
      const ssize_t n = ::write(fd_, p, piece);
      if (n < 0 && errno == EINTR) continue;
      NS_CHECK_AS(DataError, n >= 0, "cannot write '", temp_, "': ", std::strerror(errno));
      p += n;
      piece -= static_cast<std::size_t>(n);
    }
#ifdef __linux__
    // Start writing back what is written so far, so the disk works while we go on and the
    // final fsync has little left (as RocksDB's bytes_per_sync). Advisory: errors surface
    // at the fsync.
    constexpr std::uint64_t kWriteBehind = 8 << 20;
    if (bytes_ - started_ >= kWriteBehind) {
      ::sync_file_range(fd_, static_cast<off_t>(started_), static_cast<off_t>(bytes_ - started_),
                        SYNC_FILE_RANGE_WRITE);
      started_ = bytes_;
    }
#endif
  }
}

FileDigest AtomicFile::commit() {
  NS_ASSERT(fd_ >= 0, "second commit of '", path_, "'");
  NS_CHECK_AS(DataError, ::fsync(fd_) == 0, "cannot write '", path_, "': ", std::strerror(errno));
  const int rc = ::close(fd_);
  fd_ = -1;
  if (rc != 0 || std::rename(temp_.c_str(), path_.c_str()) != 0) {
    const int saved = errno;
    ::unlink(temp_.c_str());
    NS_THROW(DataError, "cannot write '", path_, "': ", std::strerror(saved));
  }
  return {bytes_, hash_.digest()};
}

}  // namespace neuroscale::io
