/* Vector elementary functions in double for the gating-EM kernels (fast/generic/moe_em.c,
 * moe_q_hess.c), written once over the level's ops (fast/<isa>/simd.h) and compiled with each
 * level's flags: the same constants and operation order at every level. Separate from the float
 * vmath_f32.h of the soft decoders.
 *
 * vexp_f64(x) = e^x. x = k ln2 + r with k = round(x log2 e), r by FMA against ln 2 split in two
 *   (the high part has 21 trailing zero bits, so k ln2_hi is exact), |r| <= 0.347;
 *   e^r = 1 + (r + r^2 P(r)), P the Taylor polynomial of degree 11 (terms 1/2! .. 1/13!: truncation
 *   below 2^-57 relative), then vd_mul_pow2 by k (one rounding: gradual underflow, overflow to
 *   inf). Arguments are clamped to [-746, 710] first (so -inf -> 0, +inf -> inf); a NaN passes the
 *   clamps on x86 (MINPD/MAXPD return their second operand) and comes out of them on NEON, and is
 *   returned: by VSCALEFPD itself on avx512 (quieted), else restored from x after the exponent-field
 *   scaling (which turns it into garbage). Measured (tests/test_moe_em.c, against expl, 4e5 points
 *   of [-708, 709.7]): max error 1.00 ulp (0.5 of the final rounding, up to 0.25 of rounding
 *   r + r^2 P, 0.18 of rounding r); subnormal results within 1 unit of the subnormal grid.
 * vexpm1_nonpos_f64(x) = e^x - 1 for x <= 0 (NaN passes): 2^k (r + r^2 P(r)) + (2^k - 1) by one
 *   FMA, accurate relative to the result also near 0. Measured max error 1.13 ulp (stratified sample
 *   of every binade, 65536 per binade, tests/vmath_f64_sample.c; 1.11 was the old figure on
 *   [-40, 0]: the worst inputs lie near -0.35, x = -0x1.69d8d23236937p-2).
 * vlog_f64(x): x = 2^e m, m in [sqrt(1/2), sqrt(2)) by integer arithmetic on the bits (inputs below
 *   2^-1022 are scaled by 2^54 first), f = m - 1, s = f / (2 + f),
 *   log(1+f) = f - f^2/2 + s (f^2/2 + R(s^2)), R the series 2 z/3 + 2 z^2/5 + ... + 2 z^10/21
 *   (truncation below 2^-60 relative), plus e ln2 in two parts. log(0) = -inf, log(+inf) = +inf,
 *   log(x < 0) = log(NaN) = NaN. Measured max error 0.824 ulp (tests/vmath_f64_sample.c, 65536
 *   per binade; x = 0x1.662ca24489f4bp-1; the old 0.80 came from a smaller sample). exp: 0.977 ulp
 *   there. The kernels' sigmoid 1/(1 + e^-z) and tanh -em/(2 + em), em = expm1(-2|z|), measure
 *   2.33 and 2.49 ulp, i.e. 1.5 u and 2.5 u absolutely (fast/generic/moe_em.c).
 */
#ifndef REFAST_FAST_VMATH_F64_H
#define REFAST_FAST_VMATH_F64_H

#include <math.h>

#include "simd.h"

#define VM_LN2_HI 0x1.62e42feep-1
#define VM_LN2_LO 0x1.a39ef35793c76p-33
#define VM_LOG2E 0x1.71547652b82fep+0

/* k and r + r^2 P(r) of the reduction x = k ln 2 + r (x already clamped). */
AI vd vexp_reduce(vd x, vd *k)
{
    *k = vd_round(vd_mul(x, vd_set1(VM_LOG2E)));
    vd r = vd_fnma(*k, vd_set1(VM_LN2_HI), x);
    r = vd_fnma(*k, vd_set1(VM_LN2_LO), r);
    vd p = vd_set1(0x1.6124613a86d09p-33);
    p = vd_fma(p, r, vd_set1(0x1.1eed8eff8d898p-29));
    p = vd_fma(p, r, vd_set1(0x1.ae64567f544e4p-26));
    p = vd_fma(p, r, vd_set1(0x1.27e4fb7789f5cp-22));
    p = vd_fma(p, r, vd_set1(0x1.71de3a556c734p-19));
    p = vd_fma(p, r, vd_set1(0x1.a01a01a01a01ap-16));
    p = vd_fma(p, r, vd_set1(0x1.a01a01a01a01ap-13));
    p = vd_fma(p, r, vd_set1(0x1.6c16c16c16c17p-10));
    p = vd_fma(p, r, vd_set1(0x1.1111111111111p-7));
    p = vd_fma(p, r, vd_set1(0x1.5555555555555p-5));
    p = vd_fma(p, r, vd_set1(0x1.5555555555555p-3));
    p = vd_fma(p, r, vd_set1(0.5));
    return vd_fma(p, vd_mul(r, r), r);
}

/* r, or x itself where x is NaN, at the levels whose vd_mul_pow2 loses NaNs. */
AI vd vexp_keep_nan(vd r, vd x)
{
    return VD_MUL_POW2_KEEPS_NAN ? r : vd_select(vd_eq(x, x), r, x);
}

AI vd vexp_f64(vd x)
{
    x = vd_min(vd_set1(710.0), x);
    x = vd_max(vd_set1(-746.0), x);
    vd k;
    const vd q = vexp_reduce(x, &k);
    return vexp_keep_nan(vd_mul_pow2(vd_add(vd_set1(1.0), q), k), x);
}

AI vd vexpm1_nonpos_f64(vd x)
{
    x = vd_max(vd_set1(-746.0), x);
    vd k;
    const vd q = vexp_reduce(x, &k);
    const vd s = vd_mul_pow2(vd_set1(1.0), k);
    return vexp_keep_nan(vd_fma(s, q, vd_sub(s, vd_set1(1.0))), x);
}

AI vd vlog_f64(vd x)
{
    const md tiny = vd_lt(x, vd_set1(0x1p-1022));
    const vd xs = vd_select(tiny, vd_mul(x, vd_set1(0x1p54)), x);
    const vd eadj = vd_maskz(tiny, vd_set1(-54.0));
    const vl bits = vd_as_vl(xs);
    const vl e = vl_sra(vl_sub(bits, vl_set1(0x3FE6A09E667F3BCDll)), 52);
    const vd m = vl_as_vd(vl_sub(bits, vl_shl(e, 52)));
    const vd f = vd_sub(m, vd_set1(1.0));
    const vd ef = vd_add(vd_from_vl(e), eadj);
    const vd s = vd_div(f, vd_add(vd_set1(2.0), f));
    const vd z = vd_mul(s, s);
    vd R = vd_set1(0x1.8618618618618p-4);
    R = vd_fma(R, z, vd_set1(0x1.af286bca1af28p-4));
    R = vd_fma(R, z, vd_set1(0x1.e1e1e1e1e1e1ep-4));
    R = vd_fma(R, z, vd_set1(0x1.1111111111111p-3));
    R = vd_fma(R, z, vd_set1(0x1.3b13b13b13b14p-3));
    R = vd_fma(R, z, vd_set1(0x1.745d1745d1746p-3));
    R = vd_fma(R, z, vd_set1(0x1.c71c71c71c71cp-3));
    R = vd_fma(R, z, vd_set1(0x1.2492492492492p-2));
    R = vd_fma(R, z, vd_set1(0x1.999999999999ap-2));
    R = vd_fma(R, z, vd_set1(0x1.5555555555555p-1));
    R = vd_mul(R, z);
    const vd hfsq = vd_mul(vd_set1(0.5), vd_mul(f, f));
    /* e ln2_hi - ((hfsq - (s (hfsq + R) + e ln2_lo)) - f) */
    const vd t = vd_fma(s, vd_add(hfsq, R), vd_mul(ef, vd_set1(VM_LN2_LO)));
    vd res = vd_fms(ef, vd_set1(VM_LN2_HI), vd_sub(vd_sub(hfsq, t), f));
    /* specials: +inf -> +inf, 0 -> -inf, negative or NaN -> NaN */
    res = vd_select(vd_eq(x, vd_set1(INFINITY)), x, res);
    res = vd_select(vd_eq(x, vd_zero()), vd_set1(-INFINITY), res);
    return vd_select(vd_ge(x, vd_zero()), res, vd_set1(NAN));
}

#endif
