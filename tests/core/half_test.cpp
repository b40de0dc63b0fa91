#include <c10/util/Half.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "core/half.h"
#include "core/random.h"

namespace neuroscale {
namespace {

std::uint16_t reference_bits(float x) { return c10::Half(x).x; }

TEST(Half, HandComputedValues) {
  EXPECT_EQ(float_to_half(1.0f), 0x3C00);
  EXPECT_EQ(float_to_half(-2.0f), 0xC000);
  EXPECT_EQ(float_to_half(65504.0f), 0x7BFF);       // largest half
  EXPECT_EQ(float_to_half(65520.0f), 0x7C00);       // rounds to infinity
  EXPECT_EQ(float_to_half(5.9604645e-8f), 0x0001);  // smallest subnormal
  EXPECT_EQ(half_to_float(0x3555), 0.333251953125f);
  EXPECT_TRUE(std::isnan(half_to_float(float_to_half(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_EQ(half_to_float(float_to_half(-std::numeric_limits<float>::infinity())),
            -std::numeric_limits<float>::infinity());
}

// Every half value converts to float exactly as LibTorch's does, and back to itself.
TEST(Half, AllHalvesMatchLibTorchAndRoundTrip) {
  for (std::uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    const auto h = static_cast<std::uint16_t>(bits);
    c10::Half ref;
    ref.x = h;
    const float mine = half_to_float(h), theirs = static_cast<float>(ref);
    if (std::isnan(theirs)) {
      ASSERT_TRUE(std::isnan(mine)) << bits;
      continue;
    }
    ASSERT_EQ(std::memcmp(&mine, &theirs, sizeof(float)), 0) << bits;
    ASSERT_EQ(float_to_half(mine), h) << bits;
  }
}

// Rounding of arbitrary floats (normal, subnormal, ties) matches LibTorch bit for bit.
TEST(Half, FloatRoundingMatchesLibTorch) {
  Rng rng(17);
  for (int i = 0; i < 2000000; ++i) {
    std::uint32_t bits = static_cast<std::uint32_t>(rng.next_u64());
    if (i % 4 == 0)
      bits = (bits & 0x807FFFFFu) |
             ((103u + static_cast<std::uint32_t>(rng.uniform_int(0, 40))) << 23);
    if (i % 16 == 1) bits = (bits & ~0xFFFu) | 0x1000u;  // exact ties
    float x;
    std::memcpy(&x, &bits, sizeof(x));
    if (std::isnan(x)) continue;
    ASSERT_EQ(float_to_half(x), reference_bits(x)) << std::hexfloat << x;
  }
}

}  // namespace
}  // namespace neuroscale
