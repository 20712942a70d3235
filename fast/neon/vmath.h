/* Vector elementary functions of the NEON level, shared by this level's soft decoders
 * (fast/neon/softmap.c, fast/neon/dumer.c) so both use the same operations bit for bit. Compiled
 * with this level's flags (armv8-a); the functions are static inline and forced inline.
 *
 * exp_nonpos(x) = e^x for x <= 0: the operations of the AVX2 version (fast/avx2/vmath.h), a
 * degree-6 polynomial after reduction by ln 2 (FMA, ln 2 split in two), scaled by 2^k built in the
 * exponent field. Max relative error 1.2e-7 (1.26 ulp), measured against expl on every float in
 * [-87, 0]; arguments below -87 give e^-87 instead of a smaller number (absolute error under
 * 2e-38).
 */
#ifndef REFAST_FAST_NEON_VMATH_H
#define REFAST_FAST_NEON_VMATH_H

#include <arm_neon.h>

#include "simd_inline.h"

/* The polynomial of exp_nonpos on the reduced argument |r| <= ln2/2: e^r = 1 + r + r^2 p(r).
 * Shared with the SELU of fast/neon/ko_mlp.c, which forms expm1(r) = r + r^2 p(r) from it. */
AI float32x4_t exp_poly(float32x4_t r)
{
    float32x4_t p = vdupq_n_f32(1.9875691500e-4f);
    p = vfmaq_f32(vdupq_n_f32(1.3981999507e-3f), p, r);
    p = vfmaq_f32(vdupq_n_f32(8.3334519073e-3f), p, r);
    p = vfmaq_f32(vdupq_n_f32(4.1665795894e-2f), p, r);
    p = vfmaq_f32(vdupq_n_f32(1.6666665459e-1f), p, r);
    p = vfmaq_f32(vdupq_n_f32(5.0000001201e-1f), p, r);
    return p;
}

AI float32x4_t exp_nonpos(float32x4_t x)
{
    x = vmaxq_f32(x, vdupq_n_f32(-87.0f));
    float32x4_t k = vrndnq_f32(vmulq_n_f32(x, 1.44269504088896341f));
    float32x4_t r = vfmsq_f32(x, k, vdupq_n_f32(0.693145751953125f));
    r = vfmsq_f32(r, k, vdupq_n_f32(1.428606765330187e-06f));
    float32x4_t p = exp_poly(r);
    p = vfmaq_f32(vaddq_f32(r, vdupq_n_f32(1.0f)), p, vmulq_f32(r, r));
    /* k in [-126, 0]: 2^k is a normal float built directly in the exponent field */
    int32x4_t e = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(k), vdupq_n_s32(127)), 23);
    return vmulq_f32(p, vreinterpretq_f32_s32(e));
}

#endif
