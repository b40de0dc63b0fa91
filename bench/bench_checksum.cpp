// Checkpoint checksums against the machine's limit: XXH64 (what manifests record) and XXH3
// (libxxhash's faster 64-bit hash), each through the streaming API in 1 MiB pieces as a
// checkpoint shard is hashed while it is written, against memcpy of the same buffer (the
// memory bandwidth one core reaches). Best of ROUNDS passes over SIZE MiB of random bytes.
//
// usage: bench_checksum [--mib 512] [--rounds 5]
// prints: checksum=<name> gbytes_per_s=<rate> ratio_to_memcpy=<r>, a line per method
#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr std::size_t kPiece = 1 << 20;

double best_seconds(int rounds, const std::function<void()>& pass) {
  double best = 1e30;
  for (int r = 0; r < rounds; ++r) {
    const auto start = std::chrono::steady_clock::now();
    pass();
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mib = 512;
  int rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--mib")
      mib = std::strtoul(argv[i + 1], nullptr, 10);
    else if (flag == "--rounds")
      rounds = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "bench_checksum: unknown option '%s' (--mib N, --rounds N)\n", argv[i]);
      return 2;
    }
  }
  if (mib == 0 || rounds <= 0) {
    std::fprintf(stderr, "bench_checksum: --mib and --rounds must be positive\n");
    return 2;
  }
  const std::size_t bytes = mib << 20;
  std::vector<unsigned char> data(bytes), copy(bytes);
  std::mt19937_64 rng(1);
  for (std::size_t i = 0; i + 8 <= bytes; i += 8) {
    const std::uint64_t v = rng();
    std::memcpy(&data[i], &v, 8);
  }
  volatile std::uint64_t sink = 0;
  const double memcpy_s = best_seconds(rounds, [&] {
    for (std::size_t at = 0; at < bytes; at += kPiece) std::memcpy(&copy[at], &data[at], kPiece);
    sink = sink + copy[bytes / 2];
  });
  const double xxh64_s = best_seconds(rounds, [&] {
    XXH64_state_t state;
    XXH64_reset(&state, 0);
    for (std::size_t at = 0; at < bytes; at += kPiece) XXH64_update(&state, &data[at], kPiece);
    sink = sink + XXH64_digest(&state);
  });
  const double xxh3_s = best_seconds(rounds, [&] {
    XXH3_state_t state;
    XXH3_64bits_reset(&state);
    for (std::size_t at = 0; at < bytes; at += kPiece)
      XXH3_64bits_update(&state, &data[at], kPiece);
    sink = sink + XXH3_64bits_digest(&state);
  });
  const double gb = static_cast<double>(bytes) / 1e9;
  for (const auto& [name, seconds] :
       {std::pair<const char*, double>{"memcpy", memcpy_s}, {"xxh64", xxh64_s}, {"xxh3", xxh3_s}}) {
    std::printf("checksum=%s mib=%zu gbytes_per_s=%.2f ratio_to_memcpy=%.2f\n", name, mib,
                gb / seconds, memcpy_s / seconds);
  }
  return sink == 42 ? 1 : 0;  // keeps the passes from being optimised away
}
