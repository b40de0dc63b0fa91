#include "core/random.h"

#include <cmath>

#include "core/check.h"

namespace neuroscale {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

constexpr double kTwoPi = 6.283185307179586476925286766559;

}  // namespace

Rng::Rng(std::uint64_t seed, std::initializer_list<std::uint64_t> streams) {
  std::uint64_t mix = seed;
  for (std::uint64_t s : streams) {
    std::uint64_t tmp = mix ^ (s + 0x632BE59BD9B4E019ULL);
    mix = splitmix64(tmp);
  }
  for (auto& word : state_) word = splitmix64(mix);
}

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

std::int64_t Rng::uniform_int(std::int64_t lo, std::int64_t hi) {
  NS_ASSERT(lo <= hi, "uniform_int: empty range [", lo, ", ", hi, "]");
  const std::uint64_t span = static_cast<std::uint64_t>(hi - lo) + 1;
  if (span == 0) return static_cast<std::int64_t>(next_u64());  // the full 64-bit range
  // Rejection sampling removes modulo bias.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  std::uint64_t x;
  do {
    x = next_u64();
  } while (x >= limit);
  return lo + static_cast<std::int64_t>(x % span);
}

double Rng::normal() {
  double u1 = uniform();
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

std::int64_t Rng::poisson(double lambda) {
  NS_ASSERT(lambda >= 0.0 && std::isfinite(lambda), "poisson: invalid mean ", lambda);
  if (lambda > 60.0) {
    const double x = std::floor(lambda + std::sqrt(lambda) * normal() + 0.5);
    return x < 0.0 ? 0 : static_cast<std::int64_t>(x);
  }
  // Inversion: walk the CDF from 0.
  const double u = uniform();
  double p = std::exp(-lambda);
  double cdf = p;
  std::int64_t k = 0;
  while (u > cdf && k < 1000) {
    ++k;
    p *= lambda / static_cast<double>(k);
    cdf += p;
  }
  return k;
}

}  // namespace neuroscale
