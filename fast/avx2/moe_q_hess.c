/* Hessian of Q(W'|W_t), AVX2 + FMA (4 doubles per register). Mirrors ref/moe_q_hess.c
 * (moe_q_hess_f64_ref); the algorithm is fast/moe_q_hess_driver.h's. Tile: 4 rows x 3 registers
 * (12 accumulators, 3 x registers, 1 broadcast: all 16 ymm; measured at k=4, d=32 against 2 x 4,
 * 3 x 4 and 4 x 2: 30 ms vs 35, 31 and 33 ms per 1e5 samples). */
#include <immintrin.h>

#include "avx2/vmath_f64.h"
#include "simd_inline.h"

typedef __m256d vd;
#define VL 4
#define HS_ROWS 4
#define HS_R 3
AI vd vd_zero(void) { return _mm256_setzero_pd(); }
AI vd vd_set1(double v) { return _mm256_set1_pd(v); }
AI vd vd_loadu(const double *p) { return _mm256_loadu_pd(p); }
AI void vd_storeu(double *p, vd v) { _mm256_storeu_pd(p, v); }
AI vd vd_fma(vd a, vd b, vd c) { return _mm256_fmadd_pd(a, b, c); }
AI double vd_hsum(vd v)
{
    const __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}
AI vd vd_add(vd a, vd b) { return _mm256_add_pd(a, b); }
AI vd vd_sub(vd a, vd b) { return _mm256_sub_pd(a, b); }
AI vd vd_mul(vd a, vd b) { return _mm256_mul_pd(a, b); }
AI vd vd_div(vd a, vd b) { return _mm256_div_pd(a, b); }
AI vd vd_max(vd a, vd b) { return _mm256_max_pd(a, b); } /* b where a is NaN */
AI vd vd_exp(vd v) { return vexp_f64(v); }
AI vd vd_log(vd v) { return vlog_f64(v); }

#include "moe_q_hess_driver.h"

int moe_q_hess_f64_avx2(const double *x, size_t n, size_t d, size_t k, const double *W, double *H)
{
    return hs_run(x, n, d, k, W, H);
}

int moe_q_grad_f64_avx2(const double *x, const double *post, size_t n, size_t d, size_t k, const double *W,
                        double *grad, double *q)
{
    return hs_qgrad(x, post, n, d, k, W, grad, q);
}
