/* The neon level's polar f and g for nodes narrower than a register (fast/generic/polar_stages.h):
 * one 64-bit register at h = 2, 1 (branch-free, the lane operations of vf_minsum and vg).
 */
#ifndef REFAST_FAST_POLAR_NARROW_H
#define REFAST_FAST_POLAR_NARROW_H

#include "simd.h"

AI float32x2_t minsum2(float32x2_t a, float32x2_t b)
{
    float32x2_t aa = vabs_f32(a), ab = vabs_f32(b);
    float32x2_t mn = vbsl_f32(vclt_f32(aa, ab), aa, ab);
    uint32x2_t neg = veor_u32(vcltz_f32(a), vcltz_f32(b));
    return vreinterpret_f32_u32(veor_u32(vreinterpret_u32_f32(mn), vand_u32(neg, vdup_n_u32(0x80000000u))));
}

/* minsum f, h < 4 (a power of two). */
AI void polar_minsum_narrow(const float *L, size_t h, float *out)
{
    if (h == 2) vst1_f32(out, minsum2(vld1_f32(L), vld1_f32(L + 2)));
    else vst1_lane_f32(out, minsum2(vld1_dup_f32(L), vld1_dup_f32(L + 1)), 0);
}

/* g, h < 4 (a power of two): x (0 or 1) selects L2 - L1 over L2 + L1. */
AI void polar_g_narrow(const float *L, const uint8_t *x, size_t h, float *out)
{
    float32x2_t a = h == 2 ? vld1_f32(L) : vld1_dup_f32(L), b = h == 2 ? vld1_f32(L + 2) : vld1_dup_f32(L + 1);
    const uint64_t x1 = h == 2 ? x[1] : 0;
    uint32x2_t sub = vtst_u32(vcreate_u32((uint64_t)x[0] | x1 << 32), vdup_n_u32(1));
    float32x2_t r = vbsl_f32(sub, vsub_f32(b, a), vadd_f32(b, a));
    if (h == 2) vst1_f32(out, r);
    else vst1_lane_f32(out, r, 0);
}

#endif
