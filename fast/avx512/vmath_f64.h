/* Vector elementary functions in double of the AVX-512 level, for the gating-EM kernels
 * (fast/avx512/moe_em.c). Compiled with this level's flags; static inline, forced inline.
 * Separate from the float vmath.h of the soft decoders.
 *
 * vexp_f64(x) = e^x. x = k ln2 + r with k = round(x log2 e), r by FMA against ln 2 split in two
 * (the high part has 21 trailing zero bits, so k ln2_hi is exact), |r| <= 0.347;
 * e^r = 1 + (r + r^2 P(r)), P the Taylor polynomial of degree 11 (terms 1/2! .. 1/13!: truncation
 * below 2^-57 relative), then VSCALEFPD by k, which also gives gradual underflow and overflow.
 * Arguments are clamped to [-746, 710] first with NaN passed through (so -inf -> 0, +inf -> inf).
 * Measured (tests/test_moe_em.c, against expl, 4e5 points of [-708, 709.7]): max error 1.00 ulp
 * (0.5 of the final rounding, up to 0.25 of rounding r + r^2 P, 0.18 of rounding r); subnormal
 * results within 1 unit of the subnormal grid.
 *
 * vexpm1_nonpos_f64(x) = e^x - 1 for x <= 0 (NaN passes): 2^k (r + r^2 P(r)) + (2^k - 1) by one
 * FMA, accurate relative to the result also near 0. Measured max error 1.09 ulp on [-40, 0].
 *
 * vlog_f64(x): x = 2^e m, m in [sqrt(1/2), sqrt(2)) by integer arithmetic on the bits (inputs below
 * 2^-1022 are scaled by 2^54 first), f = m - 1, s = f / (2 + f),
 * log(1+f) = f - f^2/2 + s (f^2/2 + R(s^2)), R the series 2 z/3 + 2 z^2/5 + ... + 2 z^10/21
 * (truncation below 2^-60 relative), plus e ln2 in two parts. log(0) = -inf, log(+inf) = +inf,
 * log(x < 0) = log(NaN) = NaN. Measured max error 0.79 ulp (every binade from 2^-1074, dense on
 * [0.5, 2]). The kernels' sigmoid 1/(1 + e^-z) and tanh -em/(2 + em), em = expm1(-2|z|), measure
 * 2.33 and 2.49 ulp, i.e. 1.5 u and 2.5 u absolutely (fast/moe_em_driver.h).
 */
#ifndef REFAST_FAST_AVX512_VMATH_F64_H
#define REFAST_FAST_AVX512_VMATH_F64_H

#include <immintrin.h>
#include <math.h>

#include "simd_inline.h"

#define VM_LN2_HI 0x1.62e42feep-1
#define VM_LN2_LO 0x1.a39ef35793c76p-33
#define VM_LOG2E 0x1.71547652b82fep+0

/* k and r + r^2 P(r) of the reduction x = k ln 2 + r (x already clamped). */
AI __m512d vexp_reduce(__m512d x, __m512d *k)
{
    *k = _mm512_roundscale_pd(_mm512_mul_pd(x, _mm512_set1_pd(VM_LOG2E)),
                              _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512d r = _mm512_fnmadd_pd(*k, _mm512_set1_pd(VM_LN2_HI), x);
    r = _mm512_fnmadd_pd(*k, _mm512_set1_pd(VM_LN2_LO), r);
    __m512d p = _mm512_set1_pd(0x1.6124613a86d09p-33);
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0x1.1eed8eff8d898p-29));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0x1.ae64567f544e4p-26));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0x1.27e4fb7789f5cp-22));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0x1.71de3a556c734p-19));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0x1.a01a01a01a01ap-16));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0x1.a01a01a01a01ap-13));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0x1.6c16c16c16c17p-10));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0x1.1111111111111p-7));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0x1.5555555555555p-5));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0x1.5555555555555p-3));
    p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(0.5));
    return _mm512_fmadd_pd(p, _mm512_mul_pd(r, r), r);
}

AI __m512d vexp_f64(__m512d x)
{
    /* min/max return their second operand when either is NaN: NaN passes */
    x = _mm512_min_pd(_mm512_set1_pd(710.0), x);
    x = _mm512_max_pd(_mm512_set1_pd(-746.0), x);
    __m512d k;
    const __m512d q = vexp_reduce(x, &k);
    return _mm512_scalef_pd(_mm512_add_pd(_mm512_set1_pd(1.0), q), k);
}

AI __m512d vexpm1_nonpos_f64(__m512d x)
{
    x = _mm512_max_pd(_mm512_set1_pd(-746.0), x);
    __m512d k;
    const __m512d q = vexp_reduce(x, &k);
    const __m512d s = _mm512_scalef_pd(_mm512_set1_pd(1.0), k);
    return _mm512_fmadd_pd(s, q, _mm512_sub_pd(s, _mm512_set1_pd(1.0)));
}

AI __m512d vlog_f64(__m512d x)
{
    const __mmask8 tiny = _mm512_cmp_pd_mask(x, _mm512_set1_pd(0x1p-1022), _CMP_LT_OQ);
    const __m512d xs = _mm512_mask_mul_pd(x, tiny, x, _mm512_set1_pd(0x1p54));
    const __m512d eadj = _mm512_maskz_mov_pd(tiny, _mm512_set1_pd(-54.0));
    const __m512i bits = _mm512_castpd_si512(xs);
    const __m512i e = _mm512_srai_epi64(_mm512_sub_epi64(bits, _mm512_set1_epi64(0x3FE6A09E667F3BCDll)), 52);
    const __m512d m = _mm512_castsi512_pd(_mm512_sub_epi64(bits, _mm512_slli_epi64(e, 52)));
    const __m512d f = _mm512_sub_pd(m, _mm512_set1_pd(1.0));
    const __m512d ef = _mm512_add_pd(_mm512_cvtepi64_pd(e), eadj);
    const __m512d s = _mm512_div_pd(f, _mm512_add_pd(_mm512_set1_pd(2.0), f));
    const __m512d z = _mm512_mul_pd(s, s);
    __m512d R = _mm512_set1_pd(0x1.8618618618618p-4);
    R = _mm512_fmadd_pd(R, z, _mm512_set1_pd(0x1.af286bca1af28p-4));
    R = _mm512_fmadd_pd(R, z, _mm512_set1_pd(0x1.e1e1e1e1e1e1ep-4));
    R = _mm512_fmadd_pd(R, z, _mm512_set1_pd(0x1.1111111111111p-3));
    R = _mm512_fmadd_pd(R, z, _mm512_set1_pd(0x1.3b13b13b13b14p-3));
    R = _mm512_fmadd_pd(R, z, _mm512_set1_pd(0x1.745d1745d1746p-3));
    R = _mm512_fmadd_pd(R, z, _mm512_set1_pd(0x1.c71c71c71c71cp-3));
    R = _mm512_fmadd_pd(R, z, _mm512_set1_pd(0x1.2492492492492p-2));
    R = _mm512_fmadd_pd(R, z, _mm512_set1_pd(0x1.999999999999ap-2));
    R = _mm512_fmadd_pd(R, z, _mm512_set1_pd(0x1.5555555555555p-1));
    R = _mm512_mul_pd(R, z);
    const __m512d hfsq = _mm512_mul_pd(_mm512_set1_pd(0.5), _mm512_mul_pd(f, f));
    /* e ln2_hi - ((hfsq - (s (hfsq + R) + e ln2_lo)) - f) */
    const __m512d t = _mm512_fmadd_pd(s, _mm512_add_pd(hfsq, R), _mm512_mul_pd(ef, _mm512_set1_pd(VM_LN2_LO)));
    __m512d res = _mm512_fmsub_pd(ef, _mm512_set1_pd(VM_LN2_HI), _mm512_sub_pd(_mm512_sub_pd(hfsq, t), f));
    /* specials: +inf -> +inf, 0 -> -inf, negative or NaN -> NaN */
    const __mmask8 pinf = _mm512_cmp_pd_mask(x, _mm512_set1_pd(INFINITY), _CMP_EQ_OQ);
    const __mmask8 zero = _mm512_cmp_pd_mask(x, _mm512_setzero_pd(), _CMP_EQ_OQ);
    const __mmask8 bad = _mm512_cmp_pd_mask(x, _mm512_setzero_pd(), _CMP_NGE_UQ); /* x < 0 or NaN */
    res = _mm512_mask_mov_pd(res, pinf, x);
    res = _mm512_mask_mov_pd(res, zero, _mm512_set1_pd(-INFINITY));
    return _mm512_mask_mov_pd(res, bad, _mm512_set1_pd(NAN));
}

#endif
