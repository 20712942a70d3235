/* NEON pieces of the polar SC and SC-list stages (fast/polar_stages.h), shared by
 * fast/neon/polar_sc.c and fast/neon/polar_scl.c: 4 lanes at a time for h >= 4, one 64-bit
 * register at h = 2, 1 (branch-free, the same lane operations). minsum's magnitude is a
 * compare-and-select ((|a| < |b|) ? |a| : |b|, not FMIN, which would turn a NaN in |a| into NaN),
 * its sign two ordered "< 0" compares applied by XOR with the sign bit (ref's negation); g selects
 * L2 - L1 or L2 + L1.
 */
#ifndef REFAST_FAST_NEON_POLAR_PRIMS_H
#define REFAST_FAST_NEON_POLAR_PRIMS_H

#include <arm_neon.h>
#include <string.h>

#include "polar_stages.h"
#include "simd_inline.h"

AI float32x4_t vf_minsum(float32x4_t a, float32x4_t b)
{
    float32x4_t aa = vabsq_f32(a), ab = vabsq_f32(b);
    float32x4_t mn = vbslq_f32(vcltq_f32(aa, ab), aa, ab);
    uint32x4_t neg = veorq_u32(vcltzq_f32(a), vcltzq_f32(b));
    return vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(mn), vandq_u32(neg, vdupq_n_u32(0x80000000u))));
}

AI float32x2_t vf_minsum2(float32x2_t a, float32x2_t b)
{
    float32x2_t aa = vabs_f32(a), ab = vabs_f32(b);
    float32x2_t mn = vbsl_f32(vclt_f32(aa, ab), aa, ab);
    uint32x2_t neg = veor_u32(vcltz_f32(a), vcltz_f32(b));
    return vreinterpret_f32_u32(veor_u32(vreinterpret_u32_f32(mn), vand_u32(neg, vdup_n_u32(0x80000000u))));
}

/* g on 4 lanes: x[0..4) (0 or 1) selects L2 - L1 over L2 + L1. */
AI float32x4_t vg(float32x4_t a, float32x4_t b, const uint8_t *x)
{
    uint32_t xw;
    memcpy(&xw, x, 4);
    uint32x4_t sub = vtstq_u32(vmovl_u16(vget_low_u16(vmovl_u8(vcreate_u8(xw)))), vdupq_n_u32(1));
    return vbslq_f32(sub, vsubq_f32(b, a), vaddq_f32(b, a));
}

static inline void polar_vf_minsum(const float *L, size_t h, float *out)
{
    for (size_t i = 0; i < h; i += 4) vst1q_f32(out + i, vf_minsum(vld1q_f32(L + i), vld1q_f32(L + i + h)));
}

static inline void polar_vf_minsum_small(const float *L, size_t h, float *out)
{
    if (h == 2) vst1_f32(out, vf_minsum2(vld1_f32(L), vld1_f32(L + 2)));
    else vst1_lane_f32(out, vf_minsum2(vld1_dup_f32(L), vld1_dup_f32(L + 1)), 0);
}

static inline void polar_vg(const float *L, const uint8_t *x, size_t h, float *out)
{
    for (size_t i = 0; i < h; i += 4) vst1q_f32(out + i, vg(vld1q_f32(L + i), vld1q_f32(L + i + h), x + i));
}

static inline void polar_vg_small(const float *L, const uint8_t *x, size_t h, float *out)
{
    float32x2_t a = h == 2 ? vld1_f32(L) : vld1_dup_f32(L), b = h == 2 ? vld1_f32(L + 2) : vld1_dup_f32(L + 1);
    const uint64_t x1 = h == 2 ? x[1] : 0;
    uint32x2_t sub = vtst_u32(vcreate_u32((uint64_t)x[0] | x1 << 32), vdup_n_u32(1));
    float32x2_t r = vbsl_f32(sub, vsub_f32(b, a), vadd_f32(b, a));
    if (h == 2) vst1_f32(out, r);
    else vst1_lane_f32(out, r, 0);
}

/* w = a ^ v over len bytes (w may be a). */
static inline void polar_xor(uint8_t *w, const uint8_t *a, const uint8_t *v, size_t len)
{
    size_t i = 0;
    for (; i + 16 <= len; i += 16) vst1q_u8(w + i, veorq_u8(vld1q_u8(a + i), vld1q_u8(v + i)));
    polar_xor_tail(w, a, v, i, len);
}

#endif
