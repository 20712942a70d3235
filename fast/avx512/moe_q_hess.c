/* Hessian of Q(W'|W_t), AVX-512 (8 doubles per register). Mirrors ref/moe_q_hess.c
 * (moe_q_hess_f64_ref); the algorithm is fast/moe_q_hess_driver.h's. Tile: 4 rows x 4 registers
 * (16 accumulators of the 32 zmm; a row of 32 columns in one tile), broadcasts embedded in the FMAs. */
#include <immintrin.h>

#include "avx512/vmath_f64.h"
#include "simd_inline.h"

typedef __m512d vd;
#define VL 8
#define HS_ROWS 4
#define HS_R 4
AI vd vd_zero(void) { return _mm512_setzero_pd(); }
AI vd vd_set1(double v) { return _mm512_set1_pd(v); }
AI vd vd_loadu(const double *p) { return _mm512_loadu_pd(p); }
AI void vd_storeu(double *p, vd v) { _mm512_storeu_pd(p, v); }
AI vd vd_fma(vd a, vd b, vd c) { return _mm512_fmadd_pd(a, b, c); }
AI double vd_hsum(vd v) { return _mm512_reduce_add_pd(v); }
AI vd vd_add(vd a, vd b) { return _mm512_add_pd(a, b); }
AI vd vd_sub(vd a, vd b) { return _mm512_sub_pd(a, b); }
AI vd vd_mul(vd a, vd b) { return _mm512_mul_pd(a, b); }
AI vd vd_div(vd a, vd b) { return _mm512_div_pd(a, b); }
AI vd vd_max(vd a, vd b) { return _mm512_max_pd(a, b); } /* b where a is NaN */
AI vd vd_exp(vd v) { return vexp_f64(v); }
AI vd vd_log(vd v) { return vlog_f64(v); }

#include "moe_q_hess_driver.h"

int moe_q_hess_f64_avx512(const double *x, size_t n, size_t d, size_t k, const double *W, double *H)
{
    return hs_run(x, n, d, k, W, H);
}

int moe_q_grad_f64_avx512(const double *x, const double *post, size_t n, size_t d, size_t k, const double *W,
                        double *grad, double *q)
{
    return hs_qgrad(x, post, n, d, k, W, grad, q);
}
