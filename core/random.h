// Deterministic random numbers for data generation and masking. `Rng` is xoshiro256**
// seeded through SplitMix64 from a seed and a list of stream ids, so every (seed, subject,
// session, trial) has its own independent stream: results do not depend on how work is
// split across ranks or threads. Distributions are implemented here (not std::*_distribution,
// whose outputs differ between standard libraries) so files are identical everywhere.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

namespace neuroscale {

class Rng {
 public:
  explicit Rng(std::uint64_t seed, std::initializer_list<std::uint64_t> streams = {});

  std::uint64_t next_u64();
  // Uniform in [0, 1).
  double uniform();
  // Uniform integer in [lo, hi] (inclusive).
  std::int64_t uniform_int(std::int64_t lo, std::int64_t hi);
  // Standard normal (Box-Muller, one value per call).
  double normal();
  // Poisson with mean `lambda` >= 0 (inversion for small means, normal approximation with
  // continuity correction above 60, where its error is far below the synthetic noise).
  std::int64_t poisson(double lambda);

 private:
  std::uint64_t state_[4];
};

// Fisher-Yates with the project's RNG (from the back, as Python's random.shuffle), so an
// order is identical on every platform.
template <class T>
void shuffle(std::vector<T>& items, Rng& rng) {
  for (std::size_t i = items.size(); i > 1; --i) {
    std::swap(
        items[i - 1],
        items[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(i) - 1))]);
  }
}

}  // namespace neuroscale
