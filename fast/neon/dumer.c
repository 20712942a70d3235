/* Dumer's recursive decoder, NEON (4 floats per register). Mirrors ref/dumer.c:
 * rm_dumer_ref and rm_dumer_soft_ref, the same recursion on the same layout.
 *
 * This file holds the level's primitives; the recursion and its tricks are in fast/dumer_driver.h
 * (the decoders run 4 frames at a time, one frame per lane, so every node works on whole
 * registers; left-over frames run one frame at a time).
 * Everything except the exact f is bit-identical to ref (same operations, same order); min-sum
 * decoding is therefore bit-identical to ref.
 * The exact f: s + log1p(e^-|a+b|) - log1p(e^-|a-b|) = s + log1p(d), d = (p - q) / (1 + q),
 * p = e^-|a+b|, q = e^-|a-b| (two exps, one division, one log instead of ref's two exps and two
 * log1ps), with
 *   e^-x (x >= 0): exp_nonpos of fast/neon/vmath.h (shared with softmap.c, accuracy there);
 *     arguments below -87 give e^-87 (absolute error < 2e-38);
 *   log1p(d), d in [-1/2, 1]: 1 + d scaled into [sqrt(1/2), sqrt(2)) with the difference from 1
 *     formed exactly from d, then Cephes' logf polynomial.
 * f has max error 2.84 u of max(1, |f|) (u = 2^-24) against long double over 2^22 (a, b) pairs
 * (|a|, |b| <= 60, near-equal pairs, tiny a), measured at every level; ref's libm f shows 2.76 u
 * on the same set: a few u absolute per f, inside the `+ n` part of the decision scale
 * (kernels/registry/dumer.c). Results are judged by the decision class against the oracle.
 */
#include <arm_neon.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/decoders.h"
#include "refast/softmap.h"
#include "vmath.h"

#define LANES 4
#define AI static inline __attribute__((always_inline))
#define RM1_MAP rm1_map_neon
#define RM1_SOFTMAP_MAXLOG rm1_softmap_maxlog_neon
#define RM_DUMER_FN rm_dumer_neon
#define RM_DUMER_SOFT_FN rm_dumer_soft_neon

typedef float32x4_t vf;

AI vf vld(const float *p) { return vld1q_f32(p); }
AI void vst(float *p, vf x) { vst1q_f32(p, x); }
AI vf vldm(const uint32_t *p) { return vreinterpretq_f32_u32(vld1q_u32(p)); }
AI void vstm(uint32_t *p, vf x) { vst1q_u32(p, vreinterpretq_u32_f32(x)); }
AI vf vsplatm(uint32_t x) { return vreinterpretq_f32_u32(vdupq_n_u32(x)); }
AI vf vset(float x) { return vdupq_n_f32(x); }
AI vf vadd(vf a, vf b) { return vaddq_f32(a, b); }
AI vf vxor(vf a, vf b) { return vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b))); }
AI vf vabs(vf a) { return vabsq_f32(a); }
AI vf vsub(vf a, vf b) { return vsubq_f32(a, b); }
AI vf vltz(vf x) { return vreinterpretq_f32_u32(vandq_u32(vcltq_f32(x, vdupq_n_f32(0.0f)), vdupq_n_u32(0x80000000u))); }

AI vf vsel_gt(vf x, vf y, vf a, vf b) { return vbslq_f32(vcgtq_f32(x, y), a, b); }

/* The lane-wise running argmax of the RM(m,1) leaf: ref's first strict > (ordered). */
AI void vbest(vf x, vf i, vf *ba, vf *bw, vf *bi)
{
    const uint32x4_t gt = vcgtq_f32(vabs(x), *ba);
    *ba = vbslq_f32(gt, vabs(x), *ba);
    *bw = vbslq_f32(gt, x, *bw);
    *bi = vbslq_f32(gt, i, *bi);
}

/* dst[i LANES + l] = src[l stride + i] for i, l < 4: two vtrn, then the halves recombined. */
AI void vtranspose(const float *src, size_t stride, float *dst)
{
    const float32x4x2_t a = vtrnq_f32(vld1q_f32(src), vld1q_f32(src + stride));
    const float32x4x2_t b = vtrnq_f32(vld1q_f32(src + 2 * stride), vld1q_f32(src + 3 * stride));
    vst1q_f32(dst, vcombine_f32(vget_low_f32(a.val[0]), vget_low_f32(b.val[0])));
    vst1q_f32(dst + 4, vcombine_f32(vget_low_f32(a.val[1]), vget_low_f32(b.val[1])));
    vst1q_f32(dst + 8, vcombine_f32(vget_high_f32(a.val[0]), vget_high_f32(b.val[0])));
    vst1q_f32(dst + 12, vcombine_f32(vget_high_f32(a.val[1]), vget_high_f32(b.val[1])));
}

/* NaN -> 0, then clamp to +-2^100 (vminq/vmaxq would propagate a NaN: it is cleared first). */
AI vf vsanitize(vf x)
{
    x = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(x), vceqq_f32(x, x)));
    x = vminq_f32(x, vset(0x1p100f));
    return vmaxq_f32(x, vset(-0x1p100f));
}

/* sign(a) sign(b) min(|a|,|b|): the XOR of the sign bits on the minimum magnitude. */
AI vf vminsum(vf a, vf b)
{
    const uint32x4_t sgn = vandq_u32(veorq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b)),
                                     vdupq_n_u32(0x80000000u));
    return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(vminq_f32(vabs(a), vabs(b))), sgn));
}

/* log1p(d) for d in [-1/2, 1]: 1 + d is brought into [sqrt(1/2), sqrt(2)) by a power of two, its
 * difference from 1 formed exactly from d (no rounding of 1 + d is ever taken: (d - 1) / 2 and
 * 2 d + 1 are exact there by Sterbenz), then Cephes' logf polynomial. */
AI vf vlog1p_half(vf d)
{
    const vf one = vset(1.0f);
    const uint32x4_t big = vcgtq_f32(d, vset(0.41421356f));
    const uint32x4_t small = vcltq_f32(d, vset(-0.29289322f));
    vf f = vbslq_f32(big, vmulq_f32(vsubq_f32(d, one), vset(0.5f)), d);
    f = vbslq_f32(small, vfmaq_f32(one, d, vset(2.0f)), f); /* 2 d + 1 */
    const vf e = vbslq_f32(big, one, vbslq_f32(small, vset(-1.0f), vset(0.0f)));
    const vf z = vmulq_f32(f, f);
    vf p = vset(7.0376836292E-2f);
    p = vfmaq_f32(vset(-1.1514610310E-1f), p, f);
    p = vfmaq_f32(vset(1.1676998740E-1f), p, f);
    p = vfmaq_f32(vset(-1.2420140846E-1f), p, f);
    p = vfmaq_f32(vset(1.4249322787E-1f), p, f);
    p = vfmaq_f32(vset(-1.6668057665E-1f), p, f);
    p = vfmaq_f32(vset(2.0000714765E-1f), p, f);
    p = vfmaq_f32(vset(-2.4999993993E-1f), p, f);
    p = vfmaq_f32(vset(3.3333331174E-1f), p, f);
    vf y2 = vmulq_f32(vmulq_f32(p, f), z);
    y2 = vfmaq_f32(y2, e, vset(-2.12194440e-4f));
    y2 = vfmaq_f32(y2, z, vset(-0.5f));
    const vf res = vaddq_f32(f, y2);
    return vfmaq_f32(res, e, vset(0.693359375f));
}

/* The exact f: s + log1p(e^-|a+b|) - log1p(e^-|a-b|) = s + log1p(d), d = (p - q) / (1 + q),
 * p = e^-|a+b|, q = e^-|a-b|: two exps, one log. */
AI vf vexact(vf a, vf b)
{
    const vf s = vminsum(a, b);
    const vf p = exp_nonpos(vnegq_f32(vabs(vaddq_f32(a, b))));
    const vf q = exp_nonpos(vnegq_f32(vabs(vsubq_f32(a, b))));
    const vf d = vdivq_f32(vsubq_f32(p, q), vaddq_f32(vset(1.0f), q));
    return vaddq_f32(s, vlog1p_half(d));
}

#include "dumer_driver.h"
