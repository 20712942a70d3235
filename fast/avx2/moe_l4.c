/* L4 loss and gradient, AVX2 + FMA (4 doubles per register). Mirrors ref/moe_l4.c:
 * moe_l4_grad_f64_ref. The algorithm (samples in the lanes for the projections and the per-sample
 * polynomial, coordinates in the lanes for the gradient sums) is fast/moe_l4_driver.h's. */
#include <immintrin.h>
#include <stddef.h>

typedef __m256d vd;
#define L4_LANES 4u
#define L4_RMAX 4 /* tiles of 4 x 3 registers: 12 accumulators of the 16 ymm */
#define L4_CMAX 3
#define L4_SUFFIX(name) name##_avx2

static inline __attribute__((always_inline)) vd vd_zero(void) { return _mm256_setzero_pd(); }
static inline __attribute__((always_inline)) vd vd_set1(double v) { return _mm256_set1_pd(v); }
static inline __attribute__((always_inline)) vd vd_loadu(const double *p) { return _mm256_loadu_pd(p); }
static inline __attribute__((always_inline)) void vd_storeu(double *p, vd v) { _mm256_storeu_pd(p, v); }
static inline __attribute__((always_inline)) vd vd_add(vd a, vd b) { return _mm256_add_pd(a, b); }
static inline __attribute__((always_inline)) vd vd_sub(vd a, vd b) { return _mm256_sub_pd(a, b); }
static inline __attribute__((always_inline)) vd vd_mul(vd a, vd b) { return _mm256_mul_pd(a, b); }
static inline __attribute__((always_inline)) vd vd_fma(vd a, vd b, vd c) { return _mm256_fmadd_pd(a, b, c); }
static inline __attribute__((always_inline)) double vd_hsum(vd v)
{
    const __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

static inline __attribute__((always_inline)) vd vd_loadn(const double *p, size_t n)
{
    const __m256i lane = _mm256_setr_epi64x(0, 1, 2, 3);
    return _mm256_maskload_pd(p, _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)n), lane));
}

#include "moe_l4_driver.h"

void moe_l4_grad_f64_avx2(const double *x, const double *q4, const double *q2, size_t n, size_t d, size_t k,
                          const double *A, const double *hyper, double *loss, double *grad)
{
    l4_grad_avx2(x, q4, q2, n, d, k, A, hyper, loss, grad);
}
