#include "core/model/few_rows_kernel.h"

#include <algorithm>

#include "core/check.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace neuroscale::model {
namespace {

// The work is cut into tiles of kColumns weight rows by up to kRows rows of x. For each
// group of kColumns output columns, every row of x passes over the same kColumns weight
// rows (12 KB at width 768), which stay in L1 while they are used and are read from memory
// once; the next group's weight rows are prefetched during the first pass. Each tile keeps
// kColumns x rows accumulators of dot-product partial sums in registers and folds them into
// one vector of sums at the end (a transposition by shuffles, not one horizontal sum per
// output).
//
// On one thread over the 100M model's matrices, the kernel that had the rows outermost (each
// 64-column weight block re-read from L2 for every 4 rows of x) was 2.4x slower at 16 rows
// and 2.8x at 32; bench_few_rows compares this one with MKL, bench/lm_generate.sh whole
// decoding steps.
constexpr int kColumns = 4;
constexpr int kRowsAvx512 = 4;  // 16 accumulators of 32 registers
constexpr int kRowsAvx2 = 2;    // 8 accumulators of 16 registers

// y[r, j] for the rows [0, rows) of x and the single column j, in scalar arithmetic (the
// columns left over after the last group of kColumns).
void scalar_column(const FewRowsProduct& p, std::int64_t rows, std::int64_t j) {
  const float* w = p.w + j * p.k;
  for (std::int64_t r = 0; r < rows; ++r) {
    float sum = 0.0f;
    for (std::int64_t i = 0; i < p.k; ++i) sum += p.x[r * p.k + i] * w[i];
    p.y[r * p.n + j] = sum;
  }
}

#if defined(__x86_64__)

// Shuffles over all lanes, through their zero-masked forms: GCC 12 warns of an uninitialised
// value inside its headers' unmasked ones (which pass _mm512_undefined_ps()).
constexpr __mmask16 kAll16 = 0xFFFF;
constexpr __mmask8 kAll8 = 0xFF;

__attribute__((target("avx512f"))) inline __m512 add_interleaved(__m512 a, __m512 b) {
  return _mm512_add_ps(_mm512_maskz_unpacklo_ps(kAll16, a, b),
                       _mm512_maskz_unpackhi_ps(kAll16, a, b));
}

__attribute__((target("avx512f"))) inline __m512 add_interleaved_pairs(__m512 a, __m512 b) {
  const __m512d ad = _mm512_castps_pd(a), bd = _mm512_castps_pd(b);
  return _mm512_add_ps(_mm512_castpd_ps(_mm512_maskz_unpacklo_pd(kAll8, ad, bd)),
                       _mm512_castpd_ps(_mm512_maskz_unpackhi_pd(kAll8, ad, bd)));
}

// 128-bit lanes (0, 2) of a and b added to lanes (1, 3): [a0+a1, a2+a3, b0+b1, b2+b3].
__attribute__((target("avx512f"))) inline __m512 add_quarters(__m512 a, __m512 b) {
  return _mm512_add_ps(_mm512_maskz_shuffle_f32x4(kAll16, a, b, 0x88),
                       _mm512_maskz_shuffle_f32x4(kAll16, a, b, 0xDD));
}

// Lane i of the result is the sum of the 16 lanes of v[i]: pairs, then quadruples, are
// interleaved and added within 128-bit lanes (lane 4q + e then holds the part of v[4g + e]
// in quarter q), then the quarters are folded.
__attribute__((target("avx512f"))) inline __m512 sum_each(const __m512* v) {
  __m512 quads[4];
#pragma GCC unroll 4
  for (int g = 0; g < 4; ++g) {
    quads[g] = add_interleaved_pairs(add_interleaved(v[4 * g], v[4 * g + 1]),
                                     add_interleaved(v[4 * g + 2], v[4 * g + 3]));
  }
  return add_quarters(add_quarters(quads[0], quads[1]), add_quarters(quads[2], quads[3]));
}

// One vector step of a tile: lanes [i, i + 16) of the kColumns weight rows at `w` and the MR
// rows of x at `x` (the lanes outside `mask` read as zero); with kPrefetch, the next
// kColumns weight rows' lanes are fetched into L1 on the way.
template <int MR, bool kPrefetch>
__attribute__((target("avx512f"), always_inline)) inline void step_avx512(
    const float* x, const float* w, std::int64_t k, std::int64_t i, __mmask16 mask, __m512* acc) {
  __m512 wv[kColumns];
#pragma GCC unroll 4
  for (int c = 0; c < kColumns; ++c) {
    wv[c] = mask == 0xFFFF ? _mm512_loadu_ps(w + c * k + i)
                           : _mm512_maskz_loadu_ps(mask, w + c * k + i);
  }
  if constexpr (kPrefetch) {
#pragma GCC unroll 4
    for (int c = 0; c < kColumns; ++c) {
      _mm_prefetch(reinterpret_cast<const char*>(w + (kColumns + c) * k + i), _MM_HINT_T0);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) {
    const __m512 xv = mask == 0xFFFF ? _mm512_loadu_ps(x + r * k + i)
                                     : _mm512_maskz_loadu_ps(mask, x + r * k + i);
#pragma GCC unroll 4
    for (int c = 0; c < kColumns; ++c) {
      acc[r * kColumns + c] = _mm512_fmadd_ps(xv, wv[c], acc[r * kColumns + c]);
    }
  }
}

// y[r, c] for the MR rows of x at `x` and the kColumns weight rows at `w` (y points at
// column j of the first row).
template <int MR, bool kPrefetch>
__attribute__((target("avx512f"))) void tile_avx512(const FewRowsProduct& p, const float* x,
                                                    float* y, const float* w) {
  const std::int64_t k = p.k, vector_end = k / 16 * 16;
  __m512 acc[16];
#pragma GCC unroll 16
  for (auto& a : acc) a = _mm512_setzero_ps();
  for (std::int64_t i = 0; i < vector_end; i += 16) {
    step_avx512<MR, kPrefetch>(x, w, k, i, 0xFFFF, acc);
  }
  if (vector_end < k) {
    const auto tail = static_cast<__mmask16>((1u << (k - vector_end)) - 1u);
    step_avx512<MR, kPrefetch>(x, w, k, vector_end, tail, acc);
  }
  const __m512 sums = sum_each(acc);  // lane r * kColumns + c
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) {
    // Lanes [4r, 4r + 4) go to y[r, 0..4): the store's base is 4r floats before that row.
    _mm512_mask_storeu_ps(y + r * (p.n - kColumns), static_cast<__mmask16>(0xFu << (4 * r)), sums);
  }
}

// Lane i of the result is the sum of the 8 lanes of v[i].
__attribute__((target("avx2,fma"))) inline __m256 sum_each(const __m256* v) {
  const __m256 h01 = _mm256_hadd_ps(v[0], v[1]), h23 = _mm256_hadd_ps(v[2], v[3]);
  const __m256 h45 = _mm256_hadd_ps(v[4], v[5]), h67 = _mm256_hadd_ps(v[6], v[7]);
  const __m256 low = _mm256_hadd_ps(h01, h23), high = _mm256_hadd_ps(h45, h67);
  return _mm256_add_ps(_mm256_permute2f128_ps(low, high, 0x20),
                       _mm256_permute2f128_ps(low, high, 0x31));
}

template <int MR, bool kPrefetch, bool kPartial>
__attribute__((target("avx2,fma"), always_inline)) inline void step_avx2(
    const float* x, const float* w, std::int64_t k, std::int64_t i, __m256i mask, __m256* acc) {
  __m256 wv[kColumns];
#pragma GCC unroll 4
  for (int c = 0; c < kColumns; ++c) {
    wv[c] = kPartial ? _mm256_maskload_ps(w + c * k + i, mask) : _mm256_loadu_ps(w + c * k + i);
  }
  if constexpr (kPrefetch) {
#pragma GCC unroll 4
    for (int c = 0; c < kColumns; ++c) {
      _mm_prefetch(reinterpret_cast<const char*>(w + (kColumns + c) * k + i), _MM_HINT_T0);
    }
  }
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) {
    const __m256 xv =
        kPartial ? _mm256_maskload_ps(x + r * k + i, mask) : _mm256_loadu_ps(x + r * k + i);
#pragma GCC unroll 4
    for (int c = 0; c < kColumns; ++c) {
      acc[r * kColumns + c] = _mm256_fmadd_ps(xv, wv[c], acc[r * kColumns + c]);
    }
  }
}

template <int MR, bool kPrefetch>
__attribute__((target("avx2,fma"))) void tile_avx2(const FewRowsProduct& p, const float* x,
                                                   float* y, const float* w) {
  const std::int64_t k = p.k, vector_end = k / 8 * 8;
  __m256 acc[8];
#pragma GCC unroll 8
  for (auto& a : acc) a = _mm256_setzero_ps();
  for (std::int64_t i = 0; i < vector_end; i += 8) {
    step_avx2<MR, kPrefetch, false>(x, w, k, i, _mm256_setzero_si256(), acc);
  }
  if (vector_end < k) {
    alignas(32) std::int32_t lanes[8];
    for (int i = 0; i < 8; ++i) lanes[i] = i < k - vector_end ? -1 : 0;
    const auto mask = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes));
    step_avx2<MR, kPrefetch, true>(x, w, k, vector_end, mask, acc);
  }
  alignas(32) float sums[8];  // index r * kColumns + c
  _mm256_store_ps(sums, sum_each(acc));
#pragma GCC unroll 4
  for (int r = 0; r < MR; ++r) {
    for (int c = 0; c < kColumns; ++c) y[r * p.n + c] = sums[r * kColumns + c];
  }
}

struct Avx512 {
  static constexpr int kRows = kRowsAvx512;
  template <int MR, bool kPrefetch>
  static void tile(const FewRowsProduct& p, const float* x, float* y, const float* w) {
    tile_avx512<MR, kPrefetch>(p, x, y, w);
  }
};

struct Avx2 {
  static constexpr int kRows = kRowsAvx2;
  template <int MR, bool kPrefetch>
  static void tile(const FewRowsProduct& p, const float* x, float* y, const float* w) {
    tile_avx2<MR, kPrefetch>(p, x, y, w);
  }
};

// The rows [r, r + rows) of column group j, rows <= Isa::kRows.
template <class Isa, bool kPrefetch>
void tile_rows(const FewRowsProduct& p, std::int64_t r, std::int64_t rows, std::int64_t j) {
  const float* x = p.x + r * p.k;
  float* y = p.y + r * p.n + j;
  const float* w = p.w + j * p.k;
  static_assert(Isa::kRows == 4 || Isa::kRows == 2);
  switch (rows) {
    case 4:
      if constexpr (Isa::kRows == 4) return Isa::template tile<4, kPrefetch>(p, x, y, w);
      break;
    case 3:
      if constexpr (Isa::kRows == 4) return Isa::template tile<3, kPrefetch>(p, x, y, w);
      break;
    case 2:
      return Isa::template tile<2, kPrefetch>(p, x, y, w);
    case 1:
      return Isa::template tile<1, kPrefetch>(p, x, y, w);
    default:
      break;
  }
  NS_CHECK(false, "few-rows tile of ", rows, " rows (at most ", Isa::kRows, ")");
}

template <class Isa>
void column_groups(const FewRowsProduct& p, std::int64_t first, std::int64_t end) {
  std::int64_t j = first;
  for (; j + kColumns <= end; j += kColumns) {
    // The next group's weight rows are fetched during the first pass only, and not past
    // the end of the weight.
    const bool prefetch = j + 2 * kColumns <= p.n;
    for (std::int64_t r = 0; r < p.m; r += Isa::kRows) {
      const auto rows = std::min<std::int64_t>(Isa::kRows, p.m - r);
      if (prefetch && r == 0) {
        tile_rows<Isa, true>(p, r, rows, j);
      } else {
        tile_rows<Isa, false>(p, r, rows, j);
      }
    }
  }
  for (; j < end; ++j) scalar_column(p, p.m, j);
}

#endif

}  // namespace

FewRowsIsa few_rows_isa() {
#if defined(__x86_64__)
  static const FewRowsIsa isa = [] {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return FewRowsIsa::kAvx512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return FewRowsIsa::kAvx2;
    return FewRowsIsa::kNone;
  }();
  return isa;
#else
  return FewRowsIsa::kNone;
#endif
}

std::int64_t few_rows_limit(FewRowsIsa isa) {
  switch (isa) {
    case FewRowsIsa::kAvx512:
      return 32;
    case FewRowsIsa::kAvx2:
      return 4;
    default:
      return 0;
  }
}

void few_rows_columns(FewRowsIsa isa, const FewRowsProduct& p, std::int64_t first,
                      std::int64_t end) {
#if defined(__x86_64__)
  if (isa == FewRowsIsa::kAvx512) return column_groups<Avx512>(p, first, end);
  if (isa == FewRowsIsa::kAvx2) return column_groups<Avx2>(p, first, end);
#endif
  NS_CHECK(false, "the few-rows kernel was called on a CPU without AVX2 (", p.m, " x ", p.k, " by ",
           p.n, ", columns ", first, " to ", end, ", isa ", static_cast<int>(isa), ")");
}

}  // namespace neuroscale::model
