/* Score-tensor moment sums, AVX-512 (8 doubles per register). Mirrors ref/moe_moments.c:
 * moe_t2_sum_f64_ref, moe_t3_sum_f64_ref, moe_t4_sum_f64_ref. The algorithm (symmetric GEMM tiles
 * over the packed triangle, panels of blocks, pairwise sums) is fast/moe_moments_driver.h's; this
 * file supplies the registers: tiles of up to 2 row registers x 12 columns (24 accumulators of the
 * 32 zmm registers, plus the 2 row registers and one broadcast), or 1 x 24; and, where the last
 * register of a rectangle has at most 4 valid lanes, 1 x 24 tiles of ymm registers
 * (AVX-512VL keeps all 32): the zmm lanes it would waste are half of the work at d = 16..32, and
 * ymm FMAs cost half a zmm FMA wherever the FMA units are 256 bits wide (Zen 4). */
#include <immintrin.h>

#include "refast/moe_moments.h"

typedef __m512d vd;
#define MM_LANES 8u
#define MM_CMAX1 24
#define MM_CMAX2 12
#define MM_SUFFIX(name) name##_avx512

static inline __attribute__((always_inline)) vd vd_zero(void) { return _mm512_setzero_pd(); }
static inline __attribute__((always_inline)) vd vd_load(const double *p) { return _mm512_loadu_pd(p); }
/* Tiles of different widths follow each other in the padded layout: unaligned stores. */
static inline __attribute__((always_inline)) void vd_store(double *p, vd v) { _mm512_storeu_pd(p, v); }
static inline __attribute__((always_inline)) vd vd_bcast(const double *p) { return _mm512_set1_pd(*p); }
static inline __attribute__((always_inline)) vd vd_add(vd a, vd b) { return _mm512_add_pd(a, b); }
static inline __attribute__((always_inline)) vd vd_mul(vd a, vd b) { return _mm512_mul_pd(a, b); }
static inline __attribute__((always_inline)) vd vd_fma(vd a, vd b, vd c) { return _mm512_fmadd_pd(a, b, c); }

typedef __m256d vh;
#define MM_HAVE_HALF 1
static inline __attribute__((always_inline)) vh vh_zero(void) { return _mm256_setzero_pd(); }
static inline __attribute__((always_inline)) vh vh_load(const double *p) { return _mm256_loadu_pd(p); }
static inline __attribute__((always_inline)) void vh_store(double *p, vh v) { _mm256_storeu_pd(p, v); }
static inline __attribute__((always_inline)) vh vh_bcast(const double *p) { return _mm256_set1_pd(*p); }
static inline __attribute__((always_inline)) vh vh_add(vh a, vh b) { return _mm256_add_pd(a, b); }
static inline __attribute__((always_inline)) vh vh_mul(vh a, vh b) { return _mm256_mul_pd(a, b); }
static inline __attribute__((always_inline)) vh vh_fma(vh a, vh b, vh c) { return _mm256_fmadd_pd(a, b, c); }

#include "moe_moments_driver.h"

void moe_t2_sum_f64_avx512(const double *x, const double *w, size_t n, size_t d, double *out)
{
    mm_tsum_avx512(2, x, w, n, d, out);
}

void moe_t3_sum_f64_avx512(const double *x, const double *w, size_t n, size_t d, double *out)
{
    mm_tsum_avx512(3, x, w, n, d, out);
}

void moe_t4_sum_f64_avx512(const double *x, const double *w, size_t n, size_t d, double *out)
{
    mm_tsum_avx512(4, x, w, n, d, out);
}
