/* L4 loss and gradient, NEON (2 doubles per float64x2_t). Mirrors ref/moe_l4.c:
 * moe_l4_grad_f64_ref. The algorithm (samples in the lanes for the projections and the per-sample
 * polynomial, coordinates in the lanes for the gradient sums) is fast/moe_l4_driver.h's. */
#include <arm_neon.h>
#include <stddef.h>

typedef float64x2_t vd;
#define L4_LANES 2u
#define L4_RMAX 8 /* tiles of 8 x 2 registers: 16 accumulators of the 32 q registers */
#define L4_CMAX 2
#define L4_SUFFIX(name) name##_neon

static inline __attribute__((always_inline)) vd vd_zero(void) { return vdupq_n_f64(0.0); }
static inline __attribute__((always_inline)) vd vd_set1(double v) { return vdupq_n_f64(v); }
static inline __attribute__((always_inline)) vd vd_loadu(const double *p) { return vld1q_f64(p); }
static inline __attribute__((always_inline)) void vd_storeu(double *p, vd v) { vst1q_f64(p, v); }
static inline __attribute__((always_inline)) vd vd_add(vd a, vd b) { return vaddq_f64(a, b); }
static inline __attribute__((always_inline)) vd vd_sub(vd a, vd b) { return vsubq_f64(a, b); }
static inline __attribute__((always_inline)) vd vd_mul(vd a, vd b) { return vmulq_f64(a, b); }
static inline __attribute__((always_inline)) vd vd_fma(vd a, vd b, vd c) { return vfmaq_f64(c, a, b); }
static inline __attribute__((always_inline)) double vd_hsum(vd v) { return vaddvq_f64(v); }

static inline __attribute__((always_inline)) vd vd_loadn(const double *p, size_t n)
{
    (void)n; /* n == 1: the only partial load of two lanes */
    return vsetq_lane_f64(p[0], vdupq_n_f64(0.0), 0);
}

#include "moe_l4_driver.h"

void moe_l4_grad_f64_neon(const double *x, const double *q4, const double *q2, size_t n, size_t d, size_t k,
                          const double *A, const double *hyper, double *loss, double *grad)
{
    l4_grad_neon(x, q4, q2, n, d, k, A, hyper, loss, grad);
}
