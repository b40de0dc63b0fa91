// XXH64 (xxHash, 64-bit variant, from libxxhash): the checksum of checkpoint shard files.
// Streaming, so files are hashed as they are written or read. XXH64 rather than the faster
// XXH3: every manifest written so far records XXH64, and hashing is not what bounds a save
// (docs/benchmarks.md, "Checkpoint checksums").
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace neuroscale::io {

class XxHash64 {
 public:
  explicit XxHash64(std::uint64_t seed = 0);
  ~XxHash64();
  XxHash64(XxHash64&&) noexcept;
  XxHash64& operator=(XxHash64&&) noexcept;
  void update(const void* data, std::size_t size);
  std::uint64_t digest() const;

 private:
  struct State;  // libxxhash's XXH64_state_t, kept out of this header
  std::unique_ptr<State> state_;
};

// The XXH64 of a whole file; throws DataError naming the file when it cannot be read.
std::uint64_t xxhash64_file(const std::string& path);
// 16 lowercase hex digits.
std::string to_hex(std::uint64_t value);

}  // namespace neuroscale::io
