// XXH64 (Yann Collet's xxHash, 64-bit variant): the checksum of checkpoint shard files.
// Streaming, so files are hashed as they are written or read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace neuroscale::io {

class XxHash64 {
 public:
  explicit XxHash64(std::uint64_t seed = 0);
  void update(const void* data, std::size_t size);
  std::uint64_t digest() const;

 private:
  std::uint64_t acc_[4];
  std::uint64_t seed_;
  unsigned char buffer_[32];
  std::size_t buffered_ = 0;
  std::uint64_t total_ = 0;
};

// The XXH64 of a whole file; throws DataError naming the file when it cannot be read.
std::uint64_t xxhash64_file(const std::string& path);
// 16 lowercase hex digits.
std::string to_hex(std::uint64_t value);

}  // namespace neuroscale::io
