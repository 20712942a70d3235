/* Hessian of Q(W'|W_t), NEON (2 doubles per register). Mirrors ref/moe_q_hess.c
 * (moe_q_hess_f64_ref); the algorithm is fast/moe_q_hess_driver.h's. Tile: 4 rows x 4 registers
 * (16 accumulators of the 32 q registers, 4 for x, 4 broadcasts by LD1R). */
#include <arm_neon.h>

#include "neon/vmath_f64.h"
#include "simd_inline.h"

typedef float64x2_t vd;
#define VL 2
#define HS_ROWS 4
#define HS_R 4
AI vd vd_zero(void) { return vdupq_n_f64(0.0); }
AI vd vd_set1(double v) { return vdupq_n_f64(v); }
AI vd vd_loadu(const double *p) { return vld1q_f64(p); }
AI void vd_storeu(double *p, vd v) { vst1q_f64(p, v); }
AI vd vd_fma(vd a, vd b, vd c) { return vfmaq_f64(c, a, b); }
AI double vd_hsum(vd v) { return vaddvq_f64(v); }
AI vd vd_add(vd a, vd b) { return vaddq_f64(a, b); }
AI vd vd_sub(vd a, vd b) { return vsubq_f64(a, b); }
AI vd vd_mul(vd a, vd b) { return vmulq_f64(a, b); }
AI vd vd_div(vd a, vd b) { return vdivq_f64(a, b); }
AI vd vd_max(vd a, vd b) { return vmaxq_f64(a, b); } /* NaN if either is: q NaN either way */
AI vd vd_exp(vd v) { return vexp_f64(v); }
AI vd vd_log(vd v) { return vlog_f64(v); }

#include "moe_q_hess_driver.h"

int moe_q_hess_f64_neon(const double *x, size_t n, size_t d, size_t k, const double *W, double *H)
{
    return hs_run(x, n, d, k, W, H);
}

int moe_q_grad_f64_neon(const double *x, const double *post, size_t n, size_t d, size_t k, const double *W,
                        double *grad, double *q)
{
    return hs_qgrad(x, post, n, d, k, W, grad, q);
}
