/* Score-tensor moment sums, AVX2 + FMA (4 doubles per register). Mirrors ref/moe_moments.c:
 * moe_t2_sum_f64_ref, moe_t3_sum_f64_ref, moe_t4_sum_f64_ref. The algorithm (symmetric GEMM tiles
 * over the packed triangle, panels of blocks, pairwise sums) is fast/moe_moments_driver.h's; this
 * file supplies the registers: tiles of up to 2 row registers x 6 columns (12 accumulators of the
 * 16 ymm registers, plus the 2 row registers and one broadcast), or 1 x 12. */
#include <immintrin.h>

#include "refast/moe_moments.h"

typedef __m256d vd;
#define MM_LANES 4u
#define MM_CMAX1 12
#define MM_CMAX2 6
#define MM_SUFFIX(name) name##_avx2

static inline __attribute__((always_inline)) vd vd_zero(void) { return _mm256_setzero_pd(); }
static inline __attribute__((always_inline)) vd vd_load(const double *p) { return _mm256_loadu_pd(p); }
static inline __attribute__((always_inline)) void vd_store(double *p, vd v) { _mm256_storeu_pd(p, v); }
static inline __attribute__((always_inline)) vd vd_bcast(const double *p) { return _mm256_set1_pd(*p); }
static inline __attribute__((always_inline)) vd vd_add(vd a, vd b) { return _mm256_add_pd(a, b); }
static inline __attribute__((always_inline)) vd vd_mul(vd a, vd b) { return _mm256_mul_pd(a, b); }
static inline __attribute__((always_inline)) vd vd_fma(vd a, vd b, vd c) { return _mm256_fmadd_pd(a, b, c); }

#include "moe_moments_driver.h"

void moe_t2_sum_f64_avx2(const double *x, const double *w, size_t n, size_t d, double *out)
{
    mm_tsum_avx2(2, x, w, n, d, out);
}

void moe_t3_sum_f64_avx2(const double *x, const double *w, size_t n, size_t d, double *out)
{
    mm_tsum_avx2(3, x, w, n, d, out);
}

void moe_t4_sum_f64_avx2(const double *x, const double *w, size_t n, size_t d, double *out)
{
    mm_tsum_avx2(4, x, w, n, d, out);
}
