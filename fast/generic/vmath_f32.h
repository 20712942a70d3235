/* Vector elementary functions in float, written once over the level's ops (fast/<isa>/simd.h) and
 * compiled with each level's flags, so every level runs the same operation sequence: the same
 * constants, every FMA an FMA, the same order. Levels agree bit for bit wherever the ops do (the
 * ops' NaN and zero-sign differences are noted where they reach a result).
 *
 * Accuracy, max error in ulp against a correctly rounded reference at every level (avx2 and avx512
 * bit-identical; tests/vmath_exhaustive.c, README "Vector math accuracy"; refast/vmath.h exports the
 * functions; tests/test_vmath.c holds a stratified sample to these maxima in CI). Bound (what
 * tolerance derivations may use) / measured:
 *   exp_nonpos [-87, 0]      1.26 / 1.259, every float (x = -0x1.1c1e4cp+6);
 *   expm1_nonpos [-inf, 0]   1.0  / 0.860, every float (x = -0x1.63dcdep-2);
 *   tanh_half (all)          4    / 2.498, every float (x = 0x1.205368p+3);
 *   log1p_unit [0, 1]        2.0  / 1.968, every float (x = 0x1.fa2cp-9);
 *   log1p_half [-1/2, 1]     1.5  / 1.394, every float (x = 0x1.a8824ep-2, just above the
 *                                   sqrt(2) - 1 switch of the reduction);
 *   selu_scaled (all)        3    / 1.867, every float (x = -0x1.5c8356p-2).
 * Special inputs. NaN: NaN on NEON; on x86 vf_max(NaN, -87) is -87 (MAXPS returns its second
 *   operand), so exp_nonpos gives e^-87, expm1_nonpos -1 and tanh_half +-1; log1p_unit, log1p_half
 *   and selu_scaled give NaN at every level. -inf: exp_nonpos e^-87, expm1_nonpos -1, tanh_half -1,
 *   selu_scaled -alpha; +inf: tanh_half 1, selu_scaled +inf. Outside its domain a function's value
 *   is unspecified (no trap, no fault).
 * Denormals. refast never changes the FP mode. In the default mode subnormal inputs and results
 *   are computed like any others (the maxima above include them; exp_nonpos's results are normal).
 *   With flushing set by a caller (x86 MXCSR.FTZ and DAZ; AArch64 FPCR.FZ, which does both) every
 *   function returns flush(f(flush(x))): its default-mode value on the input with a subnormal read
 *   as a zero of its sign, a subnormal result then replaced by a zero of its sign. Two exceptions:
 *   a result whose exact value is subnormal but rounds to +-FLT_MIN may be +-0 (tininess is
 *   detected before rounding), and log1p_unit(z) is +0 for z < 2^-125 (its s = z / (2 + z) is
 *   subnormal there). tests/test_vmath.c and the exhaustive run check this at every level, with
 *   the mode set inside the level's code (fast/<isa>/fpmode.h) and restored after.
 *
 * vf_exp_nonpos(x) = e^x for x <= 0: a degree-6 polynomial after reduction by ln 2 (FMA, ln 2 split
 *   in two), scaled by 2^k. Max relative error 1.2e-7 (1.26 ulp), measured against expl on every
 *   float in [-87, 0]; arguments below -87 give e^-87 instead of a smaller number (absolute error
 *   under 2e-38). NaN: e^-87 on x86 (MAXPS), NaN on NEON.
 * vf_expm1_nonpos(t) = e^t - 1 for t <= 0 in the form 2^k q + (2^k - 1), q = expm1(r) =
 *   r + r^2 p(r), so there is no cancellation near 0.
 * vf_tanh_half(x) = tanh(x / 2) = -expm1(-|x|) / (2 + expm1(-|x|)) with x's sign bit OR'ed in:
 *   4 ulp relative bound, 1.40 ulp on tests/test_ko_fast.c's sweep, 2.498 over every float. vf_neg differs at +0 (x86 +0,
 *   NEON -0), so tanh_half(+0) is +0 on x86 and -0 on NEON.
 * vf_log1p_unit(z) = log1p(z), z in [0, 1], as 2 atanh(s), s = z / (2 + z) in [0, 1/3]:
 *   2s (1 + s^2/3 + ... + s^12/13), truncation below (1/9)^7 / 15 = 1.4e-8 relative.
 * vf_lse(a, b) = [max(a+b, 0) + log1p(e^-|a+b|)] - [max(a, b) + log1p(e^-|a-b|)], as ref/ko.c
 *   associates it: |error| <= 2^-24 (4 (|a| + |b|) + 10) (half an ulp for each of the four
 *   additions, whose operands are at most |a| + |b| + ln 2, plus the two log1p terms, ~5 ulp(ln 2)
 *   each); tests/test_ko_fast.c checks that bound against long double (worst 0.41 of it).
 * vf_selu_scaled(t) = selu(t) / lambda: t for t > 0 (and NaN: the `t <= 0` mask is false), alpha
 *   expm1(t) otherwise, as (alpha 2^k) q + (alpha 2^k - alpha) by one FMA (for k = 0 the addend is
 *   exactly 0), t clamped at -87 so k in [-126, 0] and alpha 2^k is normal (exact). The reduction
 *   uses one float ln 2: its error 1.9e-9 moves e^t by |k| 1.9e-9 e^t relative, under 2^-26 of
 *   |expm1(t)| for every k <= 0 (one FMA less per SELU). Error of lambda * this: 2.10 ulp max
 *   against lambda alpha expm1l (tests/test_ko_mlp.c fails above 3 ulp, the value the tolerance
 *   derivation in kernels/registry/ko.c assumes). Lanes with t > 0 compute garbage, selected away.
 * vf_log1p_half(d) = log1p(d) for d in [-1/2, 1]: 1 + d brought into [sqrt(1/2), sqrt(2)) by a
 *   power of two, its difference from 1 formed exactly from d (no rounding of 1 + d is ever taken:
 *   (d - 1) / 2 and 2 d + 1 are exact there by Sterbenz), then Cephes' logf polynomial.
 * vf_bm_radius(w), vf_bm_cossin(w, &c, &s): Box–Muller from 32-bit Philox words (refast/rng.h).
 *   r = sqrt(-2 ln u1), u1 = ((w >> 9) + 0.5) 2^-23: ln u1 = k ln2 + ln(1 + g), u1 = 2^k (1 + g),
 *     1 + g in [sqrt(1/2), sqrt(2)); ln(1 + g) = g - g^2/2 + s (g^2/2 + z Q(z)), s = g / (2 + g),
 *     z = s^2 (the atanh series; Q: degree-3 Chebyshev fit, |error| < 1.2e-9 on z in
 *     [0, (3 - 2 sqrt 2)^2]); ln2 split in Cody–Waite hi/lo. Over all 2^23 possible u1:
 *     |r~ - r| <= 0.972 ulp(r), relative <= 1.64 u (u = 2^-24), measured exhaustively.
 *   cos and sin of t = (pi/4) x, x = j / 2^21 exact in float (angle 2 pi (w >> 8) / 2^24, folded
 *     into the first octant): sin = x (pi/4 + y P(y)) with pi/4 as hi + lo (the hi product is
 *     exact inside the FMA), cos = 1 + C1 y + y^2 C(y) with the rounding errors of 1 + C1 y and of
 *     y = x^2 recovered by FMAs; P, C: Chebyshev fits (< 1.4e-11, 7.7e-10). Over all 2^21 + 1
 *     reduced angles: sin <= 0.692 ulp (relative 1.092 u), cos <= 0.541 ulp (relative 0.755 u).
 *   z = r * (cos or sin): |z~ - z| <= 0.5 ulp (product) + (1.64 + 1.092) u |z| < 3.23 ulp(z), and
 *     the correctly rounded value is within 0.5 ulp of z: fewer than 3.73, i.e. at most 3 float
 *     steps apart (the registry's bound; measured max 2, tests/test_rng.c). The only zero-sign
 *     difference of the ops (vf_fms) meets a zero that is multiplied and added to a nonzero term
 *     or to +0, so the gaussians agree bit for bit across levels (test_rng checks it).
 */
#ifndef REFAST_FAST_VMATH_F32_H
#define REFAST_FAST_VMATH_F32_H

#include "simd.h"

#define VM_F32_LOG2E 1.44269504088896341f

/* The polynomial of exp_nonpos on the reduced argument |r| <= ln2/2: e^r = 1 + r + r^2 p(r). */
AI vf vf_exp_poly(vf r)
{
    vf p = vf_set1(1.9875691500e-4f);
    p = vf_fma(p, r, vf_set1(1.3981999507e-3f));
    p = vf_fma(p, r, vf_set1(8.3334519073e-3f));
    p = vf_fma(p, r, vf_set1(4.1665795894e-2f));
    p = vf_fma(p, r, vf_set1(1.6666665459e-1f));
    p = vf_fma(p, r, vf_set1(5.0000001201e-1f));
    return p;
}

/* x = k ln2 + r for x in [-87, 0], ln 2 in two parts; returns r, sets *k. */
AI vf vf_exp_reduce(vf x, vf *k)
{
    *k = vf_round(vf_mul(x, vf_set1(VM_F32_LOG2E)));
    const vf r = vf_fnma(*k, vf_set1(0.693145751953125f), x);
    return vf_fnma(*k, vf_set1(1.428606765330187e-06f), r);
}

AI vf vf_exp_nonpos(vf x)
{
    vf k;
    const vf r = vf_exp_reduce(vf_max(x, vf_set1(-87.0f)), &k);
    const vf p = vf_fma(vf_exp_poly(r), vf_mul(r, r), vf_add(r, vf_set1(1.0f)));
    return vf_mul_pow2(p, k); /* k in [-126, 0] */
}

AI vf vf_expm1_nonpos(vf t)
{
    vf k;
    const vf r = vf_exp_reduce(vf_max(t, vf_set1(-87.0f)), &k);
    const vf q = vf_fma(vf_exp_poly(r), vf_mul(r, r), r);
    const vf p2k = vf_pow2i(k);
    return vf_fma(p2k, q, vf_sub(p2k, vf_set1(1.0f)));
}

AI vf vf_tanh_half(vf x)
{
    const vf e = vf_expm1_nonpos(vf_neg(vf_abs(x)));
    const vf t = vf_div(vf_neg(e), vf_add(e, vf_set1(2.0f)));
    return vf_or(t, vf_and(x, vf_set1(-0.0f)));
}

AI vf vf_log1p_unit(vf z)
{
    const vf s = vf_div(z, vf_add(z, vf_set1(2.0f)));
    const vf s2 = vf_mul(s, s);
    vf p = vf_set1(1.0f / 13.0f);
    p = vf_fma(p, s2, vf_set1(1.0f / 11.0f));
    p = vf_fma(p, s2, vf_set1(1.0f / 9.0f));
    p = vf_fma(p, s2, vf_set1(1.0f / 7.0f));
    p = vf_fma(p, s2, vf_set1(1.0f / 5.0f));
    p = vf_fma(p, s2, vf_set1(1.0f / 3.0f));
    const vf two_s = vf_add(s, s);
    return vf_fma(vf_mul(two_s, s2), p, two_s);
}

AI vf vf_lse(vf a, vf b)
{
    const vf s = vf_add(a, b), d = vf_sub(a, b);
    const vf l1 = vf_add(vf_max(s, vf_zero()), vf_log1p_unit(vf_exp_nonpos(vf_neg(vf_abs(s)))));
    const vf l2 = vf_add(vf_max(a, b), vf_log1p_unit(vf_exp_nonpos(vf_neg(vf_abs(d)))));
    return vf_sub(l1, l2);
}

AI vf vf_selu_scaled(vf t)
{
    const mf neg = vf_le(t, vf_zero());
    const vf tc = vf_max(t, vf_set1(-87.0f));
    const vf k = vf_round(vf_mul(tc, vf_set1(VM_F32_LOG2E)));
    const vf r = vf_fnma(k, vf_set1(0.693147182464599609f), tc);
    const vf q = vf_fma(vf_exp_poly(r), vf_mul(r, r), r); /* expm1(r) */
    const vf alpha = vf_set1(1.6732632423543772f);
    const vf a2k = vf_ldexp_normal(alpha, k); /* alpha 2^k, exact */
    const vf e = vf_fma(a2k, q, vf_sub(a2k, alpha));
    return vf_select(neg, e, t);
}

AI vf vf_log1p_half(vf d)
{
    const vf one = vf_set1(1.0f);
    const mf big = vf_gt(d, vf_set1(0.41421356f));
    const mf small = vf_lt(d, vf_set1(-0.29289322f));
    vf f = vf_select(big, vf_mul(vf_sub(d, one), vf_set1(0.5f)), d);
    f = vf_select(small, vf_fma(d, vf_set1(2.0f), one), f); /* 2 d + 1 */
    const vf e = vf_select(small, vf_set1(-1.0f), vf_maskz(big, one));
    const vf z = vf_mul(f, f);
    vf p = vf_set1(7.0376836292E-2f);
    p = vf_fma(p, f, vf_set1(-1.1514610310E-1f));
    p = vf_fma(p, f, vf_set1(1.1676998740E-1f));
    p = vf_fma(p, f, vf_set1(-1.2420140846E-1f));
    p = vf_fma(p, f, vf_set1(1.4249322787E-1f));
    p = vf_fma(p, f, vf_set1(-1.6668057665E-1f));
    p = vf_fma(p, f, vf_set1(2.0000714765E-1f));
    p = vf_fma(p, f, vf_set1(-2.4999993993E-1f));
    p = vf_fma(p, f, vf_set1(3.3333331174E-1f));
    vf y2 = vf_mul(vf_mul(p, f), z);
    y2 = vf_fma(e, vf_set1(-2.12194440e-4f), y2);
    y2 = vf_fma(z, vf_set1(-0.5f), y2);
    return vf_fma(e, vf_set1(0.693359375f), vf_add(f, y2));
}

AI vf vf_bm_radius(vi w)
{
    const vi odd = vi_or(vi_shr(w, 8), vi_set1(1)); /* 2m+1 */
    const vf u1 = vf_mul(vf_from_vi(odd), vf_set1(0x1p-24f));
    const vi ix = vi_add(vf_as_vi(u1), vi_set1(0x3f800000u - 0x3f3504f3u));
    const vf k = vf_from_vi(vi_sub(vi_shr(ix, 23), vi_set1(127)));
    const vf f = vi_as_vf(vi_add(vi_and(ix, vi_set1(0x7fffff)), vi_set1(0x3f3504f3u)));
    const vf g = vf_sub(f, vf_set1(1.0f));
    const vf s = vf_div(g, vf_add(vf_set1(2.0f), g));
    const vf z = vf_mul(s, s);
    vf q = vf_fma(vf_set1(0x1.ddced8p-3f), z, vf_set1(0x1.245c44p-2f));
    q = vf_fma(q, z, vf_set1(0x1.9999ecp-2f));
    q = vf_fma(q, z, vf_set1(0x1.555556p-1f));
    const vf rr = vf_mul(z, q);
    const vf hfsq = vf_mul(vf_mul(vf_set1(0.5f), g), g);
    vf t = vf_fma(s, vf_add(hfsq, rr), vf_mul(k, vf_set1(0x1.2fefa2p-17f)));
    t = vf_add(vf_sub(t, hfsq), g);
    const vf ln_u1 = vf_fma(k, vf_set1(0x1.62e3p-1f), t);
    return vf_sqrt(vf_mul(vf_set1(-2.0f), ln_u1));
}

AI void vf_bm_cossin(vi w, vf *cos_a, vf *sin_a)
{
    const vi k = vi_shr(w, 8);
    const vi q = vi_shr(k, 22);
    const vi m = vi_and(k, vi_set1(0x3fffff));
    const mf upper = vi_gt(m, vi_set1(0x200000));
    const vi j = vi_select(upper, vi_sub(vi_set1(0x400000), m), m);
    const vf x = vf_mul(vf_from_vi(j), vf_set1(0x1p-21f));
    const vf y = vf_mul(x, x);

    vf p = vf_fma(vf_set1(0x1.4cb762p-22f), y, vf_set1(-0x1.32ce1ep-15f));
    p = vf_fma(p, y, vf_set1(0x1.466bc2p-9f));
    p = vf_fma(p, y, vf_set1(-0x1.4abbcep-4f));
    const vf sn = vf_fma(x, vf_set1(0x1.921fb6p-1f), vf_mul(x, vf_fma(y, p, vf_set1(-0x1.777a5cp-26f))));

    const vf c1 = vf_set1(-0x1.3bd3ccp-2f), one = vf_set1(1.0f);
    vf c = vf_fma(vf_set1(0x1.dd0736p-19f), y, vf_set1(-0x1.55d016p-12f));
    c = vf_fma(c, y, vf_set1(0x1.03c1f0p-6f));
    const vf ylo = vf_fms(x, x, y); /* x^2 = y + ylo exactly */
    const vf a = vf_fma(y, c1, one);
    const vf aerr = vf_fma(y, c1, vf_sub(one, a)); /* 1 + c1 y = a + aerr */
    const vf small = vf_fma(vf_mul(y, y), c, vf_fma(ylo, c1, vf_fma(y, vf_set1(-0x1.37c8bcp-27f), aerr)));
    const vf cs = vf_add(a, small);

    /* complement (upper) and odd quadrants swap cos and sin; then the quadrant's signs */
    const mf swap = mf_xor(upper, vi_lsb(q));
    const vf cc = vf_select(swap, sn, cs), ss = vf_select(swap, cs, sn);
    const vi two = vi_set1(2);
    *cos_a = vf_xor(cc, vi_as_vf(vi_shl(vi_and(vi_add(q, vi_set1(1)), two), 30)));
    *sin_a = vf_xor(ss, vi_as_vf(vi_shl(vi_and(q, two), 30)));
}

#endif
