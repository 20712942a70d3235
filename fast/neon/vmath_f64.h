/* Vector elementary functions in double of the NEON level (AArch64 Advanced SIMD, 2 doubles per
 * register), for the gating-EM kernels (fast/neon/moe_em.c). Static inline, forced inline.
 * Separate from the float vmath.h of the soft decoders.
 *
 * The algorithms of fast/avx512/vmath_f64.h with NEON integer conversions:
 * vexp_f64(x) = e^x: k = round(x log2 e) (FRINTN), r = x - k ln2 (ln 2 in two parts, FMA),
 * e^r = 1 + (r + r^2 P(r)), P the degree-11 Taylor polynomial (1/2! .. 1/13!), times 2^k as
 * 2^k1 * 2^k2 (k1 = floor(k/2); exponent fields by FCVTZS and SHL #52), so underflow rounds once.
 * Arguments clamped to [-746, 710] with NaN passed through (FMINNM/FMAXNM would drop it: FMIN/FMAX
 * propagate it). Measured (tests/test_moe_em.c under qemu, 4e4 points of [-708, 709.7] against
 * expl): max 1.00 ulp for normal results.
 * vexpm1_nonpos_f64(x) = e^x - 1 for x <= 0: 2^k (r + r^2 P) + (2^k - 1) in one FMA; max 1.10 ulp.
 * vlog_f64(x): e by SSHR #52 of bits(x) - bits(sqrt(1/2)), m = x 2^-e in [sqrt(1/2), sqrt(2)),
 * f = m - 1, s = f/(2+f), log(1+f) = f - f^2/2 + s (f^2/2 + R(s^2)), plus e ln 2 in two parts;
 * x < 2^-1022 scaled by 2^54 first; log(0) = -inf, log(+inf) = +inf, log(x<0) = log(NaN) = NaN.
 * Measured max 0.75 ulp. The kernels' sigmoid and tanh (fast/moe_em_driver.h) measure 2.20 and
 * 2.46 ulp, i.e. 1.5 u and 2.5 u absolutely.
 */
#ifndef REFAST_FAST_NEON_VMATH_F64_H
#define REFAST_FAST_NEON_VMATH_F64_H

#include <arm_neon.h>
#include <math.h>

#include "simd_inline.h"

#define VM_LN2_HI 0x1.62e42feep-1
#define VM_LN2_LO 0x1.a39ef35793c76p-33
#define VM_LOG2E 0x1.71547652b82fep+0

AI float64x2_t vm_set(double v) { return vdupq_n_f64(v); }
/* a * b + c */
AI float64x2_t vm_fma(float64x2_t a, float64x2_t b, float64x2_t c) { return vfmaq_f64(c, a, b); }

AI float64x2_t vexp_reduce(float64x2_t x, float64x2_t *k)
{
    *k = vrndnq_f64(vmulq_f64(x, vm_set(VM_LOG2E)));
    float64x2_t r = vfmsq_f64(x, *k, vm_set(VM_LN2_HI));
    r = vfmsq_f64(r, *k, vm_set(VM_LN2_LO));
    float64x2_t p = vm_set(0x1.6124613a86d09p-33);
    p = vm_fma(p, r, vm_set(0x1.1eed8eff8d898p-29));
    p = vm_fma(p, r, vm_set(0x1.ae64567f544e4p-26));
    p = vm_fma(p, r, vm_set(0x1.27e4fb7789f5cp-22));
    p = vm_fma(p, r, vm_set(0x1.71de3a556c734p-19));
    p = vm_fma(p, r, vm_set(0x1.a01a01a01a01ap-16));
    p = vm_fma(p, r, vm_set(0x1.a01a01a01a01ap-13));
    p = vm_fma(p, r, vm_set(0x1.6c16c16c16c17p-10));
    p = vm_fma(p, r, vm_set(0x1.1111111111111p-7));
    p = vm_fma(p, r, vm_set(0x1.5555555555555p-5));
    p = vm_fma(p, r, vm_set(0x1.5555555555555p-3));
    p = vm_fma(p, r, vm_set(0.5));
    return vm_fma(p, vmulq_f64(r, r), r);
}

/* 2^j for integral j in [-1022, 1023] (NaN j gives garbage, masked by the callers' NaN path). */
AI float64x2_t vpow2i(float64x2_t j)
{
    const int64x2_t e = vaddq_s64(vcvtq_s64_f64(j), vdupq_n_s64(1023));
    return vreinterpretq_f64_s64(vshlq_n_s64(e, 52));
}

AI void vscale_parts(float64x2_t k, float64x2_t *s1, float64x2_t *s2)
{
    const float64x2_t k1 = vrndmq_f64(vmulq_f64(k, vm_set(0.5)));
    *s1 = vpow2i(k1);
    *s2 = vpow2i(vsubq_f64(k, k1));
}

AI float64x2_t vm_keep_nan(float64x2_t r, float64x2_t x)
{
    return vbslq_f64(vceqq_f64(x, x), r, x);
}

AI float64x2_t vexp_f64(float64x2_t x)
{
    x = vminq_f64(vm_set(710.0), x);
    x = vmaxq_f64(vm_set(-746.0), x);
    float64x2_t k, s1, s2;
    const float64x2_t q = vexp_reduce(x, &k);
    vscale_parts(k, &s1, &s2);
    return vm_keep_nan(vmulq_f64(vmulq_f64(vaddq_f64(vm_set(1.0), q), s1), s2), x);
}

AI float64x2_t vexpm1_nonpos_f64(float64x2_t x)
{
    x = vmaxq_f64(vm_set(-746.0), x);
    float64x2_t k, s1, s2;
    const float64x2_t q = vexp_reduce(x, &k);
    vscale_parts(k, &s1, &s2);
    const float64x2_t s = vmulq_f64(s1, s2);
    return vm_keep_nan(vm_fma(s, q, vsubq_f64(s, vm_set(1.0))), x);
}

AI float64x2_t vlog_f64(float64x2_t x)
{
    const uint64x2_t tiny = vcltq_f64(x, vm_set(0x1p-1022));
    const float64x2_t xs = vbslq_f64(tiny, vmulq_f64(x, vm_set(0x1p54)), x);
    const float64x2_t eadj = vbslq_f64(tiny, vm_set(-54.0), vm_set(0.0));
    const int64x2_t bits = vreinterpretq_s64_f64(xs);
    const int64x2_t e = vshrq_n_s64(vsubq_s64(bits, vdupq_n_s64(0x3FE6A09E667F3BCDll)), 52);
    const float64x2_t m = vreinterpretq_f64_s64(vsubq_s64(bits, vshlq_n_s64(e, 52)));
    const float64x2_t f = vsubq_f64(m, vm_set(1.0));
    const float64x2_t ef = vaddq_f64(vcvtq_f64_s64(e), eadj);
    const float64x2_t s = vdivq_f64(f, vaddq_f64(vm_set(2.0), f));
    const float64x2_t z = vmulq_f64(s, s);
    float64x2_t R = vm_set(0x1.8618618618618p-4);
    R = vm_fma(R, z, vm_set(0x1.af286bca1af28p-4));
    R = vm_fma(R, z, vm_set(0x1.e1e1e1e1e1e1ep-4));
    R = vm_fma(R, z, vm_set(0x1.1111111111111p-3));
    R = vm_fma(R, z, vm_set(0x1.3b13b13b13b14p-3));
    R = vm_fma(R, z, vm_set(0x1.745d1745d1746p-3));
    R = vm_fma(R, z, vm_set(0x1.c71c71c71c71cp-3));
    R = vm_fma(R, z, vm_set(0x1.2492492492492p-2));
    R = vm_fma(R, z, vm_set(0x1.999999999999ap-2));
    R = vm_fma(R, z, vm_set(0x1.5555555555555p-1));
    R = vmulq_f64(R, z);
    const float64x2_t hfsq = vmulq_f64(vm_set(0.5), vmulq_f64(f, f));
    const float64x2_t t = vm_fma(s, vaddq_f64(hfsq, R), vmulq_f64(ef, vm_set(VM_LN2_LO)));
    /* e ln2_hi - ((hfsq - t) - f) */
    float64x2_t res = vfmaq_f64(vnegq_f64(vsubq_f64(vsubq_f64(hfsq, t), f)), ef, vm_set(VM_LN2_HI));
    res = vbslq_f64(vceqq_f64(x, vm_set(INFINITY)), x, res);
    res = vbslq_f64(vceqq_f64(x, vm_set(0.0)), vm_set(-INFINITY), res);
    const uint64x2_t ok = vcgeq_f64(x, vm_set(0.0)); /* false for NaN */
    return vbslq_f64(ok, res, vm_set(NAN));
}

#endif
