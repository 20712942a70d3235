/* Gating EM, AVX-512 (8 doubles per register). Mirrors ref/moe_em.c: moe_estep_f64_ref and
 * moe_em_grad_f64_ref; the algorithm is fast/moe_em_driver.h's, this file supplies the registers.
 *
 * Tricks: the logit micro-kernel keeps 8 samples x 8 logits (one register of transposed weights
 * per coordinate, k <= 4 fits one chunk) in 8 accumulators, each FMA taking its x_it by embedded
 * broadcast; the 8 x 8 transpose back to sample lanes is three rounds of unpack/permutes. exp, log
 * and expm1 are vmath_f64.h's (VSCALEFPD for 2^k, VPSRAQ/VCVTQQ2PD for the exponent of log);
 * tails use masked loads, which never touch memory beyond the data.
 */
#include <immintrin.h>

#include "avx512/vmath_f64.h"
#include "refast/moe_em.h"
#include "simd_inline.h"

typedef __m512d vd;
#define VL 8
#define EM_CH 1

AI vd vd_set1(double v) { return _mm512_set1_pd(v); }
AI vd vd_zero(void) { return _mm512_setzero_pd(); }
AI vd vd_loadu(const double *p) { return _mm512_loadu_pd(p); }
AI void vd_storeu(double *p, vd v) { _mm512_storeu_pd(p, v); }
AI vd vd_loadu_n(const double *p, size_t n) { return _mm512_maskz_loadu_pd((__mmask8)((1u << n) - 1), p); }
AI vd vd_add(vd a, vd b) { return _mm512_add_pd(a, b); }
AI vd vd_sub(vd a, vd b) { return _mm512_sub_pd(a, b); }
AI vd vd_mul(vd a, vd b) { return _mm512_mul_pd(a, b); }
AI vd vd_div(vd a, vd b) { return _mm512_div_pd(a, b); }
AI vd vd_max(vd a, vd b) { return _mm512_max_pd(a, b); }
AI vd vd_fma(vd a, vd b, vd c) { return _mm512_fmadd_pd(a, b, c); }
AI vd vd_fnma(vd a, vd b, vd c) { return _mm512_fnmadd_pd(a, b, c); }
AI vd vd_sel_neg(vd z, vd a, vd b)
{
    return _mm512_mask_mov_pd(b, _mm512_cmp_pd_mask(z, _mm512_setzero_pd(), _CMP_LT_OQ), a);
}
AI vd vd_abs(vd v) { return _mm512_abs_pd(v); }
AI vd vd_copysign(vd mag, vd sgn)
{
    const __m512i sb = _mm512_set1_epi64((long long)0x8000000000000000ull);
    return _mm512_castsi512_pd(_mm512_ternarylogic_epi64(_mm512_castpd_si512(sgn), _mm512_castpd_si512(mag), sb, 0xE4));
}
AI vd vd_exp(vd x) { return vexp_f64(x); }
AI vd vd_expm1_nonpos(vd x) { return vexpm1_nonpos_f64(x); }
AI vd vd_log(vd x) { return vlog_f64(x); }

/* r[i] lane j <-> r[j] lane i. */
AI void vd_transpose(vd r[8])
{
    vd t[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm512_unpacklo_pd(r[i], r[i + 1]);     /* r0[0] r1[0] r0[2] r1[2] ... */
        t[i + 1] = _mm512_unpackhi_pd(r[i], r[i + 1]);
    }
    vd u[8];
    const __m512i lo2 = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
    const __m512i hi2 = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
    u[0] = _mm512_permutex2var_pd(t[0], lo2, t[2]);
    u[2] = _mm512_permutex2var_pd(t[0], hi2, t[2]);
    u[1] = _mm512_permutex2var_pd(t[1], lo2, t[3]);
    u[3] = _mm512_permutex2var_pd(t[1], hi2, t[3]);
    u[4] = _mm512_permutex2var_pd(t[4], lo2, t[6]);
    u[6] = _mm512_permutex2var_pd(t[4], hi2, t[6]);
    u[5] = _mm512_permutex2var_pd(t[5], lo2, t[7]);
    u[7] = _mm512_permutex2var_pd(t[5], hi2, t[7]);
    for (int i = 0; i < 4; i++) {
        r[i] = _mm512_shuffle_f64x2(u[i], u[i + 4], 0x44);
        r[i + 4] = _mm512_shuffle_f64x2(u[i], u[i + 4], 0xEE);
    }
}

#include "moe_em_driver.h"

int moe_estep_f64_avx512(const double *x, const double *y, size_t n, size_t d, size_t k,
                         const double *A, const double *W, int g, double sigma, double *post)
{
    return em_run(x, y, n, d, k, A, W, g, sigma, post, NULL, NULL);
}

int moe_em_grad_f64_avx512(const double *x, const double *y, size_t n, size_t d, size_t k,
                           const double *A, const double *W, int g, double sigma, double *grad,
                           double *q)
{
    return em_run(x, y, n, d, k, A, W, g, sigma, NULL, grad, q);
}

void moe_em_vmath_f64_avx512(int f, const double *x, size_t n, double *out)
{
    em_vmath(f, x, n, out);
}
