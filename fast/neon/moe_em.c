/* Gating EM, NEON (2 doubles per register). Mirrors ref/moe_em.c: moe_estep_f64_ref and
 * moe_em_grad_f64_ref; the algorithm is fast/moe_em_driver.h's, this file supplies the registers.
 *
 * Tricks: the logit micro-kernel runs 2 samples x 4 registers of 2 transposed weights (k <= 4 in
 * one pass) in 8 of the 32 registers, the 2 x 2 transpose is ZIP1/ZIP2; exp / expm1 / log are
 * vmath_f64.h's. A tail of one double is loaded into lane 0 alone.
 */
#include <arm_neon.h>

#include "neon/vmath_f64.h"
#include "refast/moe_em.h"
#include "simd_inline.h"

typedef float64x2_t vd;
#define VL 2
#define EM_CH 4

AI vd vd_set1(double v) { return vdupq_n_f64(v); }
AI vd vd_zero(void) { return vdupq_n_f64(0.0); }
AI vd vd_loadu(const double *p) { return vld1q_f64(p); }
AI void vd_storeu(double *p, vd v) { vst1q_f64(p, v); }
AI vd vd_loadu_n(const double *p, size_t n) { return n ? vsetq_lane_f64(p[0], vdupq_n_f64(0.0), 0) : vdupq_n_f64(0.0); }
AI vd vd_add(vd a, vd b) { return vaddq_f64(a, b); }
AI vd vd_sub(vd a, vd b) { return vsubq_f64(a, b); }
AI vd vd_mul(vd a, vd b) { return vmulq_f64(a, b); }
AI vd vd_div(vd a, vd b) { return vdivq_f64(a, b); }
AI vd vd_max(vd a, vd b) { return vmaxq_f64(a, b); }
AI vd vd_fma(vd a, vd b, vd c) { return vfmaq_f64(c, a, b); }
AI vd vd_fnma(vd a, vd b, vd c) { return vfmsq_f64(c, a, b); }
AI vd vd_sel_neg(vd z, vd a, vd b) { return vbslq_f64(vcltzq_f64(z), a, b); }
AI vd vd_abs(vd v) { return vabsq_f64(v); }
AI vd vd_copysign(vd mag, vd sgn) { return vbslq_f64(vdupq_n_u64(0x8000000000000000ull), sgn, mag); }
AI vd vd_exp(vd x) { return vexp_f64(x); }
AI vd vd_expm1_nonpos(vd x) { return vexpm1_nonpos_f64(x); }
AI vd vd_log(vd x) { return vlog_f64(x); }

AI void vd_transpose(vd r[2])
{
    const vd t0 = vzip1q_f64(r[0], r[1]), t1 = vzip2q_f64(r[0], r[1]);
    r[0] = t0;
    r[1] = t1;
}

#include "moe_em_driver.h"

int moe_estep_f64_neon(const double *x, const double *y, size_t n, size_t d, size_t k,
                       const double *A, const double *W, int g, double sigma, double *post)
{
    return em_run(x, y, n, d, k, A, W, g, sigma, post, NULL, NULL);
}

int moe_em_grad_f64_neon(const double *x, const double *y, size_t n, size_t d, size_t k,
                         const double *A, const double *W, int g, double sigma, double *grad,
                         double *q)
{
    return em_run(x, y, n, d, k, A, W, g, sigma, NULL, grad, q);
}

void moe_em_vmath_f64_neon(int f, const double *x, size_t n, double *out)
{
    em_vmath(f, x, n, out);
}
