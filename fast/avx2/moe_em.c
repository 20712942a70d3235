/* Gating EM, AVX2 + FMA (4 doubles per register). Mirrors ref/moe_em.c: moe_estep_f64_ref and
 * moe_em_grad_f64_ref; the algorithm is fast/moe_em_driver.h's, this file supplies the registers.
 *
 * Tricks: the logit micro-kernel runs 4 samples x 2 registers of 4 transposed weights (k <= 4 in
 * one pass) in 8 accumulators, x_it broadcast from memory; a 4 x 4 transpose (unpack + 128-bit
 * permute) returns to sample lanes. exp / expm1 / log are vmath_f64.h's; tails use VMASKMOVPD.
 */
#include <immintrin.h>

#include "avx2/vmath_f64.h"
#include "refast/moe_em.h"
#include "simd_inline.h"

typedef __m256d vd;
#define VL 4
#define EM_CH 2

AI vd vd_set1(double v) { return _mm256_set1_pd(v); }
AI vd vd_zero(void) { return _mm256_setzero_pd(); }
AI vd vd_loadu(const double *p) { return _mm256_loadu_pd(p); }
AI void vd_storeu(double *p, vd v) { _mm256_storeu_pd(p, v); }
AI vd vd_loadu_n(const double *p, size_t n)
{
    const __m256i lane = _mm256_set_epi64x(3, 2, 1, 0);
    return _mm256_maskload_pd(p, _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)n), lane));
}
AI vd vd_add(vd a, vd b) { return _mm256_add_pd(a, b); }
AI vd vd_sub(vd a, vd b) { return _mm256_sub_pd(a, b); }
AI vd vd_mul(vd a, vd b) { return _mm256_mul_pd(a, b); }
AI vd vd_div(vd a, vd b) { return _mm256_div_pd(a, b); }
AI vd vd_max(vd a, vd b) { return _mm256_max_pd(a, b); }
AI vd vd_fma(vd a, vd b, vd c) { return _mm256_fmadd_pd(a, b, c); }
AI vd vd_fnma(vd a, vd b, vd c) { return _mm256_fnmadd_pd(a, b, c); }
AI vd vd_sel_neg(vd z, vd a, vd b) { return _mm256_blendv_pd(b, a, _mm256_cmp_pd(z, _mm256_setzero_pd(), _CMP_LT_OQ)); }
AI vd vd_abs(vd v) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), v); }
AI vd vd_copysign(vd mag, vd sgn)
{
    const vd sb = _mm256_set1_pd(-0.0);
    return _mm256_or_pd(_mm256_and_pd(sb, sgn), _mm256_andnot_pd(sb, mag));
}
AI vd vd_exp(vd x) { return vexp_f64(x); }
AI vd vd_expm1_nonpos(vd x) { return vexpm1_nonpos_f64(x); }
AI vd vd_log(vd x) { return vlog_f64(x); }

AI void vd_transpose(vd r[4])
{
    const vd t0 = _mm256_unpacklo_pd(r[0], r[1]); /* r0[0] r1[0] r0[2] r1[2] */
    const vd t1 = _mm256_unpackhi_pd(r[0], r[1]); /* r0[1] r1[1] r0[3] r1[3] */
    const vd t2 = _mm256_unpacklo_pd(r[2], r[3]);
    const vd t3 = _mm256_unpackhi_pd(r[2], r[3]);
    r[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
    r[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
    r[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
    r[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}

#include "moe_em_driver.h"

int moe_estep_f64_avx2(const double *x, const double *y, size_t n, size_t d, size_t k,
                       const double *A, const double *W, int g, double sigma, double *post)
{
    return em_run(x, y, n, d, k, A, W, g, sigma, post, NULL, NULL);
}

int moe_em_grad_f64_avx2(const double *x, const double *y, size_t n, size_t d, size_t k,
                         const double *A, const double *W, int g, double sigma, double *grad,
                         double *q)
{
    return em_run(x, y, n, d, k, A, W, g, sigma, NULL, grad, q);
}

void moe_em_vmath_f64_avx2(int f, const double *x, size_t n, double *out)
{
    em_vmath(f, x, n, out);
}
