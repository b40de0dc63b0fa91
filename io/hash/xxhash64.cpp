#include "io/hash/xxhash64.h"

#define XXH_INLINE_ALL  // the streaming state by value, and the fastest code path
#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/check.h"

namespace neuroscale::io {

struct XxHash64::State {
  XXH64_state_t xxh;
};

XxHash64::XxHash64(std::uint64_t seed) : state_(std::make_unique<State>()) {
  XXH64_reset(&state_->xxh, seed);
}
XxHash64::~XxHash64() = default;
XxHash64::XxHash64(XxHash64&&) noexcept = default;
XxHash64& XxHash64::operator=(XxHash64&&) noexcept = default;

void XxHash64::update(const void* data, std::size_t size) {
  XXH64_update(&state_->xxh, data, size);
}

std::uint64_t XxHash64::digest() const { return XXH64_digest(&state_->xxh); }

std::uint64_t xxhash64_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  NS_CHECK_AS(DataError, file != nullptr, "cannot read '", path, "': ", std::strerror(errno));
  XxHash64 hash;
  std::unique_ptr<char[]> chunk(new char[1 << 20]);
  std::size_t n;
  while ((n = std::fread(chunk.get(), 1, 1 << 20, file.get())) > 0) hash.update(chunk.get(), n);
  NS_CHECK_AS(DataError, !std::ferror(file.get()), "cannot read '", path,
              "': ", std::strerror(errno));
  return hash.digest();
}

std::string to_hex(std::uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace neuroscale::io
