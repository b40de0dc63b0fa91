#include "core/model/few_rows_kernel.h"

#include <algorithm>

#include "core/check.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace neuroscale::model {
namespace {

// Each inner step holds kColumns weight rows' vectors and MR rows of x: 4 x 4 accumulators.
constexpr int kColumns = 4;
constexpr int kRowsPerPass = 4;

// y[r, j] for the rows [0, rows) of x and the single column j, in scalar arithmetic (the
// columns left over after the last group of kColumns).
void scalar_column(const FewRowsProduct& p, const float* x, float* y, int rows, std::int64_t j) {
  const float* w = p.w + j * p.k;
  for (int r = 0; r < rows; ++r) {
    float sum = 0.0f;
    for (std::int64_t i = 0; i < p.k; ++i) sum += x[r * p.k + i] * w[i];
    y[r * p.n + j] = sum;
  }
}

#if defined(__x86_64__)

// The sum of the 16 lanes (through memory: GCC 12's _mm512_reduce_add_ps warns of an
// uninitialised value inside its own header).
__attribute__((target("avx512f"))) inline float sum_lanes(__m512 v) {
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, v);
  float sum = 0.0f;
  for (const float lane : lanes) sum += lane;
  return sum;
}

template <int MR>
__attribute__((target("avx512f"))) void pass_avx512(const FewRowsProduct& p, const float* x,
                                                    float* y, std::int64_t first,
                                                    std::int64_t end) {
  const std::int64_t k = p.k, vector_end = k / 16 * 16;
  std::int64_t j = first;
  for (; j + kColumns <= end; j += kColumns) {
    const float* w = p.w + j * k;
    __m512 acc[kColumns][MR];
    for (auto& column : acc)
      for (auto& a : column) a = _mm512_setzero_ps();
    for (std::int64_t i = 0; i < vector_end; i += 16) {
      __m512 wv[kColumns];
      for (int c = 0; c < kColumns; ++c) wv[c] = _mm512_loadu_ps(w + c * k + i);
      for (int r = 0; r < MR; ++r) {
        const __m512 xv = _mm512_loadu_ps(x + r * k + i);
        for (int c = 0; c < kColumns; ++c) acc[c][r] = _mm512_fmadd_ps(xv, wv[c], acc[c][r]);
      }
    }
    for (int c = 0; c < kColumns; ++c) {
      for (int r = 0; r < MR; ++r) {
        float sum = sum_lanes(acc[c][r]);
        for (std::int64_t i = vector_end; i < k; ++i) sum += x[r * k + i] * w[c * k + i];
        y[r * p.n + j + c] = sum;
      }
    }
  }
  for (; j < end; ++j) scalar_column(p, x, y, MR, j);
}

__attribute__((target("avx2,fma"))) inline float sum_lanes(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_hadd_ps(s, s);
  s = _mm_hadd_ps(s, s);
  return _mm_cvtss_f32(s);
}

template <int MR>
__attribute__((target("avx2,fma"))) void pass_avx2(const FewRowsProduct& p, const float* x,
                                                   float* y, std::int64_t first, std::int64_t end) {
  const std::int64_t k = p.k, vector_end = k / 8 * 8;
  std::int64_t j = first;
  for (; j + kColumns <= end; j += kColumns) {
    const float* w = p.w + j * k;
    __m256 acc[kColumns][MR];
    for (auto& column : acc)
      for (auto& a : column) a = _mm256_setzero_ps();
    for (std::int64_t i = 0; i < vector_end; i += 8) {
      __m256 wv[kColumns];
      for (int c = 0; c < kColumns; ++c) wv[c] = _mm256_loadu_ps(w + c * k + i);
      for (int r = 0; r < MR; ++r) {
        const __m256 xv = _mm256_loadu_ps(x + r * k + i);
        for (int c = 0; c < kColumns; ++c) acc[c][r] = _mm256_fmadd_ps(xv, wv[c], acc[c][r]);
      }
    }
    for (int c = 0; c < kColumns; ++c) {
      for (int r = 0; r < MR; ++r) {
        float sum = sum_lanes(acc[c][r]);
        for (std::int64_t i = vector_end; i < k; ++i) sum += x[r * k + i] * w[c * k + i];
        y[r * p.n + j + c] = sum;
      }
    }
  }
  for (; j < end; ++j) scalar_column(p, x, y, MR, j);
}

template <template <int> class Pass>
void run_passes(const FewRowsProduct& p, std::int64_t first, std::int64_t end) {
  for (std::int64_t r = 0; r < p.m; r += kRowsPerPass) {
    const float* x = p.x + r * p.k;
    float* y = p.y + r * p.n;
    switch (std::min<std::int64_t>(kRowsPerPass, p.m - r)) {
      case 4:
        Pass<4>::run(p, x, y, first, end);
        break;
      case 3:
        Pass<3>::run(p, x, y, first, end);
        break;
      case 2:
        Pass<2>::run(p, x, y, first, end);
        break;
      default:
        Pass<1>::run(p, x, y, first, end);
        break;
    }
  }
}

template <int MR>
struct Avx512Pass {
  static void run(const FewRowsProduct& p, const float* x, float* y, std::int64_t first,
                  std::int64_t end) {
    pass_avx512<MR>(p, x, y, first, end);
  }
};
template <int MR>
struct Avx2Pass {
  static void run(const FewRowsProduct& p, const float* x, float* y, std::int64_t first,
                  std::int64_t end) {
    pass_avx2<MR>(p, x, y, first, end);
  }
};

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
      return 16;
    case FewRowsIsa::kAvx2:
      return 4;
    default:
      return 0;
  }
}

void few_rows_columns(FewRowsIsa isa, const FewRowsProduct& p, std::int64_t first,
                      std::int64_t end) {
#if defined(__x86_64__)
  if (isa == FewRowsIsa::kAvx512) return run_passes<Avx512Pass>(p, first, end);
  if (isa == FewRowsIsa::kAvx2) return run_passes<Avx2Pass>(p, first, end);
#endif
  NS_CHECK(false, "the few-rows kernel was called on a CPU without AVX2 (", p.m, " x ", p.k, " by ",
           p.n, ", columns ", first, " to ", end, ", isa ", static_cast<int>(isa), ")");
}

}  // namespace neuroscale::model
