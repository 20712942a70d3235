/* L4 loss and gradient, AVX-512 (8 doubles per register). Mirrors ref/moe_l4.c:
 * moe_l4_grad_f64_ref. The algorithm (samples in the lanes for the projections and the per-sample
 * polynomial, coordinates in the lanes for the gradient sums) is fast/moe_l4_driver.h's. */
#include <immintrin.h>
#include <stddef.h>

typedef __m512d vd;
#define L4_LANES 8u
#define L4_RMAX 8 /* tiles of 8 x 3 registers: 24 accumulators of the 32 zmm */
#define L4_CMAX 3
#define L4_SUFFIX(name) name##_avx512

static inline __attribute__((always_inline)) vd vd_zero(void) { return _mm512_setzero_pd(); }
static inline __attribute__((always_inline)) vd vd_set1(double v) { return _mm512_set1_pd(v); }
static inline __attribute__((always_inline)) vd vd_loadu(const double *p) { return _mm512_loadu_pd(p); }
static inline __attribute__((always_inline)) void vd_storeu(double *p, vd v) { _mm512_storeu_pd(p, v); }
static inline __attribute__((always_inline)) vd vd_add(vd a, vd b) { return _mm512_add_pd(a, b); }
static inline __attribute__((always_inline)) vd vd_sub(vd a, vd b) { return _mm512_sub_pd(a, b); }
static inline __attribute__((always_inline)) vd vd_mul(vd a, vd b) { return _mm512_mul_pd(a, b); }
static inline __attribute__((always_inline)) vd vd_fma(vd a, vd b, vd c) { return _mm512_fmadd_pd(a, b, c); }
static inline __attribute__((always_inline)) double vd_hsum(vd v) { return _mm512_reduce_add_pd(v); }

static inline __attribute__((always_inline)) vd vd_loadn(const double *p, size_t n)
{
    return _mm512_maskz_loadu_pd((__mmask8)((1u << n) - 1u), p);
}

#include "moe_l4_driver.h"

void moe_l4_grad_f64_avx512(const double *x, const double *q4, const double *q2, size_t n, size_t d, size_t k,
                            const double *A, const double *hyper, double *loss, double *grad)
{
    l4_grad_avx512(x, q4, q2, n, d, k, A, hyper, loss, grad);
}
