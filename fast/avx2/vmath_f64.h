/* Vector elementary functions in double of the AVX2 + FMA level, for the gating-EM kernels
 * (fast/avx2/moe_em.c). Compiled with this level's flags; static inline, forced inline.
 * Separate from the float vmath.h of the soft decoders.
 *
 * The same algorithms as fast/avx512/vmath_f64.h, without VSCALEFPD, VPSRAQ or VCVTQQ2PD:
 * vexp_f64(x) = e^x: k = round(x log2 e), r = x - k ln2 (ln 2 in two parts, FMA), |r| <= 0.347,
 * e^r = 1 + (r + r^2 P(r)) with the degree-11 Taylor P (1/2! .. 1/13!), times 2^k built as
 * 2^k1 * 2^k2 (k1 = floor(k/2), both normal for the clamped k in [-1077, 1025]; exponent fields
 * from the integer bits of k + 1.5 * 2^52), so underflow rounds once and overflow gives inf.
 * Arguments clamped to [-746, 710] with NaN passed through. Measured (tests/test_moe_em.c, dense
 * sweep against expl): max 1.00 ulp for normal results.
 * vexpm1_nonpos_f64(x) = e^x - 1 for x <= 0: 2^k (r + r^2 P) + (2^k - 1), one FMA. Measured max
 * 1.11 ulp on [-40, 0].
 * vlog_f64(x): exponent e from the bits of x minus those of sqrt(1/2) (biased, logical shift),
 * m = x 2^-e in [sqrt(1/2), sqrt(2)), f = m - 1, s = f/(2+f), log(1+f) = f - f^2/2 + s (f^2/2 + R),
 * R = 2z/3 + ... + 2z^10/21 (z = s^2), plus e ln 2 in two parts; x < 2^-1022 scaled by 2^54 first;
 * log(0) = -inf, log(+inf) = +inf, log(x < 0) = log(NaN) = NaN. Measured max 0.80 ulp.
 * The kernels' sigmoid and tanh (fast/moe_em_driver.h) measure 2.23 and 2.49 ulp, i.e. 1.5 u and
 * 2.5 u absolutely.
 */
#ifndef REFAST_FAST_AVX2_VMATH_F64_H
#define REFAST_FAST_AVX2_VMATH_F64_H

#include <immintrin.h>
#include <math.h>

#include "simd_inline.h"

#define VM_LN2_HI 0x1.62e42feep-1
#define VM_LN2_LO 0x1.a39ef35793c76p-33
#define VM_LOG2E 0x1.71547652b82fep+0
#define VM_MAGIC 0x1.8p52 /* k + 1.5 * 2^52 holds the integer k in its low mantissa bits */

AI __m256d vexp_reduce(__m256d x, __m256d *k)
{
    *k = _mm256_round_pd(_mm256_mul_pd(x, _mm256_set1_pd(VM_LOG2E)),
                         _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256d r = _mm256_fnmadd_pd(*k, _mm256_set1_pd(VM_LN2_HI), x);
    r = _mm256_fnmadd_pd(*k, _mm256_set1_pd(VM_LN2_LO), r);
    __m256d p = _mm256_set1_pd(0x1.6124613a86d09p-33);
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0x1.1eed8eff8d898p-29));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0x1.ae64567f544e4p-26));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0x1.27e4fb7789f5cp-22));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0x1.71de3a556c734p-19));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0x1.a01a01a01a01ap-16));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0x1.a01a01a01a01ap-13));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0x1.6c16c16c16c17p-10));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0x1.1111111111111p-7));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0x1.5555555555555p-5));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0x1.5555555555555p-3));
    p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(0.5));
    return _mm256_fmadd_pd(p, _mm256_mul_pd(r, r), r);
}

/* 2^j for integral j in [-1022, 1023] given as a double. */
AI __m256d vpow2i(__m256d j)
{
    const __m256i b = _mm256_castpd_si256(_mm256_add_pd(j, _mm256_set1_pd(VM_MAGIC)));
    return _mm256_castsi256_pd(_mm256_add_epi64(_mm256_slli_epi64(b, 52), _mm256_set1_epi64x(1023ll << 52)));
}

/* 2^k as two factors whose product (applied one after the other) rounds only once. */
AI void vscale_parts(__m256d k, __m256d *s1, __m256d *s2)
{
    const __m256d k1 = _mm256_floor_pd(_mm256_mul_pd(k, _mm256_set1_pd(0.5)));
    *s1 = vpow2i(k1);
    *s2 = vpow2i(_mm256_sub_pd(k, k1));
}

AI __m256d vexp_f64(__m256d x)
{
    x = _mm256_min_pd(_mm256_set1_pd(710.0), x); /* NaN passes: the second operand is returned */
    x = _mm256_max_pd(_mm256_set1_pd(-746.0), x);
    __m256d k, s1, s2;
    const __m256d q = vexp_reduce(x, &k);
    vscale_parts(k, &s1, &s2);
    const __m256d r = _mm256_mul_pd(_mm256_mul_pd(_mm256_add_pd(_mm256_set1_pd(1.0), q), s1), s2);
    /* NaN lanes: the integer tricks made garbage scale factors, restore the NaN */
    return _mm256_blendv_pd(r, x, _mm256_cmp_pd(x, x, _CMP_UNORD_Q));
}

AI __m256d vexpm1_nonpos_f64(__m256d x)
{
    x = _mm256_max_pd(_mm256_set1_pd(-746.0), x);
    __m256d k, s1, s2;
    const __m256d q = vexp_reduce(x, &k);
    vscale_parts(k, &s1, &s2);
    const __m256d s = _mm256_mul_pd(s1, s2);
    const __m256d r = _mm256_fmadd_pd(s, q, _mm256_sub_pd(s, _mm256_set1_pd(1.0)));
    return _mm256_blendv_pd(r, x, _mm256_cmp_pd(x, x, _CMP_UNORD_Q));
}

AI __m256d vlog_f64(__m256d x)
{
    const __m256d tiny = _mm256_cmp_pd(x, _mm256_set1_pd(0x1p-1022), _CMP_LT_OQ);
    const __m256d xs = _mm256_blendv_pd(x, _mm256_mul_pd(x, _mm256_set1_pd(0x1p54)), tiny);
    const __m256d eadj = _mm256_and_pd(tiny, _mm256_set1_pd(-54.0));
    const __m256i bits = _mm256_castpd_si256(xs);
    /* eb = e + 1023 from (bits - bits(sqrt(1/2)) + 1023 * 2^52) >> 52, never negative here */
    const __m256i biased = _mm256_add_epi64(_mm256_sub_epi64(bits, _mm256_set1_epi64x(0x3FE6A09E667F3BCDll)),
                                            _mm256_set1_epi64x(1023ll << 52));
    const __m256i eb = _mm256_srli_epi64(biased, 52);
    const __m256i mbits = _mm256_add_epi64(_mm256_sub_epi64(bits, _mm256_slli_epi64(eb, 52)),
                                           _mm256_set1_epi64x(1023ll << 52));
    const __m256d m = _mm256_castsi256_pd(mbits);
    const __m256d f = _mm256_sub_pd(m, _mm256_set1_pd(1.0));
    /* eb (< 2^12) as a double: its bits under those of 2^52, minus 2^52 */
    const __m256d ebd = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(eb, _mm256_castpd_si256(_mm256_set1_pd(0x1p52)))),
                                      _mm256_set1_pd(0x1p52));
    const __m256d ef = _mm256_add_pd(_mm256_sub_pd(ebd, _mm256_set1_pd(1023.0)), eadj);
    const __m256d s = _mm256_div_pd(f, _mm256_add_pd(_mm256_set1_pd(2.0), f));
    const __m256d z = _mm256_mul_pd(s, s);
    __m256d R = _mm256_set1_pd(0x1.8618618618618p-4);
    R = _mm256_fmadd_pd(R, z, _mm256_set1_pd(0x1.af286bca1af28p-4));
    R = _mm256_fmadd_pd(R, z, _mm256_set1_pd(0x1.e1e1e1e1e1e1ep-4));
    R = _mm256_fmadd_pd(R, z, _mm256_set1_pd(0x1.1111111111111p-3));
    R = _mm256_fmadd_pd(R, z, _mm256_set1_pd(0x1.3b13b13b13b14p-3));
    R = _mm256_fmadd_pd(R, z, _mm256_set1_pd(0x1.745d1745d1746p-3));
    R = _mm256_fmadd_pd(R, z, _mm256_set1_pd(0x1.c71c71c71c71cp-3));
    R = _mm256_fmadd_pd(R, z, _mm256_set1_pd(0x1.2492492492492p-2));
    R = _mm256_fmadd_pd(R, z, _mm256_set1_pd(0x1.999999999999ap-2));
    R = _mm256_fmadd_pd(R, z, _mm256_set1_pd(0x1.5555555555555p-1));
    R = _mm256_mul_pd(R, z);
    const __m256d hfsq = _mm256_mul_pd(_mm256_set1_pd(0.5), _mm256_mul_pd(f, f));
    const __m256d t = _mm256_fmadd_pd(s, _mm256_add_pd(hfsq, R), _mm256_mul_pd(ef, _mm256_set1_pd(VM_LN2_LO)));
    __m256d res = _mm256_fmsub_pd(ef, _mm256_set1_pd(VM_LN2_HI), _mm256_sub_pd(_mm256_sub_pd(hfsq, t), f));
    const __m256d pinf = _mm256_cmp_pd(x, _mm256_set1_pd(INFINITY), _CMP_EQ_OQ);
    const __m256d zero = _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_EQ_OQ);
    const __m256d bad = _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_NGE_UQ);
    res = _mm256_blendv_pd(res, x, pinf);
    res = _mm256_blendv_pd(res, _mm256_set1_pd(-INFINITY), zero);
    return _mm256_blendv_pd(res, _mm256_set1_pd(NAN), bad);
}

#endif
