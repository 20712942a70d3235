/* Score-tensor moment sums, NEON (2 doubles per float64x2_t). Mirrors ref/moe_moments.c:
 * moe_t2_sum_f64_ref, moe_t3_sum_f64_ref, moe_t4_sum_f64_ref. The algorithm (symmetric GEMM tiles
 * over the packed triangle, panels of blocks, pairwise sums) is fast/moe_moments_driver.h's; this
 * file supplies the registers: tiles of up to 2 row registers x 12 columns (24 accumulators of the
 * 32 q registers, plus the 2 row registers and one broadcast), or 1 x 24; vfmaq_f64 is fused. */
#include <arm_neon.h>

#include "refast/moe_moments.h"

typedef float64x2_t vd;
#define MM_LANES 2u
#define MM_CMAX1 24
#define MM_CMAX2 12
#define MM_SUFFIX(name) name##_neon

static inline __attribute__((always_inline)) vd vd_zero(void) { return vdupq_n_f64(0.0); }
static inline __attribute__((always_inline)) vd vd_load(const double *p) { return vld1q_f64(p); }
static inline __attribute__((always_inline)) void vd_store(double *p, vd v) { vst1q_f64(p, v); }
static inline __attribute__((always_inline)) vd vd_bcast(const double *p) { return vld1q_dup_f64(p); }
static inline __attribute__((always_inline)) vd vd_add(vd a, vd b) { return vaddq_f64(a, b); }
static inline __attribute__((always_inline)) vd vd_mul(vd a, vd b) { return vmulq_f64(a, b); }
/* a*b + c, one rounding. */
static inline __attribute__((always_inline)) vd vd_fma(vd a, vd b, vd c) { return vfmaq_f64(c, a, b); }

#include "moe_moments_driver.h"

void moe_t2_sum_f64_neon(const double *x, const double *w, size_t n, size_t d, double *out)
{
    mm_tsum_neon(2, x, w, n, d, out);
}

void moe_t3_sum_f64_neon(const double *x, const double *w, size_t n, size_t d, double *out)
{
    mm_tsum_neon(3, x, w, n, d, out);
}

void moe_t4_sum_f64_neon(const double *x, const double *w, size_t n, size_t d, double *out)
{
    mm_tsum_neon(4, x, w, n, d, out);
}
