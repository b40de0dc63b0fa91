// Helpers for the engine's elementwise CPU kernels: loops written plainly and compiled once
// per instruction set (GCC/Clang function multiversioning picks the clone at load time), and
// an exponential the compiler can vectorize (std::exp is a library call it cannot).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// An AVX-512, an AVX2 and a baseline copy of the function; the loader chooses.
#define NS_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NS_VECTOR_CLONES
#endif

namespace neuroscale::model {

// exp(x) in float32 within 2 ulp over [-87, 88] (inputs outside are clamped there: about
// 1.6e-38 and 1.7e38; NaN stays NaN), branch-free so that loops over it vectorize.
// Cody-Waite reduction x = n ln2 + r, |r| <= ln2 / 2, a degree-7 Taylor polynomial of e^r
// (truncation error r^8 / 8! < 6e-9) and 2^n put together in the exponent bits.
inline float vector_exp(float x) {
  const float v = std::min(std::max(x, -87.0f), 88.0f);
  // Adding 1.5 * 2^23 rounds v log2(e) to an integer n held in the low mantissa bits.
  constexpr float kShift = 12582912.0f;
  const float shifted = v * 1.44269504088896341f + kShift;
  const float n = shifted - kShift;
  std::int32_t n_bits = 0;
  std::memcpy(&n_bits, &shifted, sizeof n_bits);
  const float r = (v - n * 0.693359375f) - n * -2.12194440e-4f;  // ln2 in two parts
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const std::int32_t scale_bits = (n_bits - 0x4B400000 + 127) * (1 << 23);  // 2^n
  float scale = 0.0f;
  std::memcpy(&scale, &scale_bits, sizeof scale);
  return x != x ? x : p * scale;
}

}  // namespace neuroscale::model
