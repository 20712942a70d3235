/* MAP and Soft-MAP of RM(m,1), NEON (AArch64 Advanced SIMD, 4 floats per register). Mirrors
 * ref/softmap.c: rm1_map_ref, rm1_softmap_maxlog_ref, rm1_softmap_exact_ref.
 *
 * The frame driver, the MAP argmax, the per-bit half maxima and the exact LLR's sums are
 * fast/softmap_driver.h's (its comment has the tricks); this file supplies the registers:
 * - vf_max_num is FMAXNM(|W|, best), which returns the number when one operand is a quiet NaN
 *   (W only holds quiet NaNs: it comes out of additions).
 * - The exp is exp_nonpos of fast/neon/vmath.h (shared with dumer.c; its accuracy statement is
 *   there); arguments below -87 give e^-87, an absolute error under 2e-38 on a sum that is >= 1.
 * - The 2 lane bits are masked (and / bic) reductions of one register.
 * Rounding depth of the sums: <= 64 + n/256 + 2.
 */
#include <arm_neon.h>
#include <math.h>

#include "refast/fht.h"
#include "refast/softmap.h"
#include "simd_inline.h"
#include "vmath.h"

typedef float32x4_t vf;
#define RM1_LANE_BITS 2

AI vf vf_load(const float *p)
{
    return vld1q_f32(p);
}
AI void vf_store(float *p, vf v)
{
    vst1q_f32(p, v);
}
AI vf vf_set1(float s)
{
    return vdupq_n_f32(s);
}
AI vf vf_zero(void)
{
    return vdupq_n_f32(0.0f);
}
AI vf vf_add(vf a, vf b)
{
    return vaddq_f32(a, b);
}
AI vf vf_sub(vf a, vf b)
{
    return vsubq_f32(a, b);
}
AI vf vf_mul(vf a, vf b)
{
    return vmulq_f32(a, b);
}
AI vf vf_max(vf a, vf b)
{
    return vmaxq_f32(a, b);
}
AI vf vf_min(vf a, vf b)
{
    return vminq_f32(a, b);
}
AI vf vf_max_num(vf x, vf best)
{
    return vmaxnmq_f32(x, best);
}
AI vf vf_abs(vf x)
{
    return vabsq_f32(x);
}
AI float vf_hmax(vf x)
{
    return vmaxvq_f32(x);
}
AI float vf_hmin(vf x)
{
    return vminvq_f32(x);
}
AI float vf_hsum(vf x)
{
    return vaddvq_f32(x);
}

AI int first_equal(vf x, vf y)
{
    const uint32x4_t eq = vceqq_f32(x, y);
    if (!vmaxvq_u32(eq)) return -1;
    uint32_t lanes[4];
    vst1q_u32(lanes, eq);
    int i = 0;
    while (!lanes[i]) i++;
    return i;
}

/* All-ones in the lanes whose |W| so far were all finite. */
typedef uint32x4_t vfinite;
AI vfinite finite_init(void)
{
    return vdupq_n_u32(~0u);
}
AI vfinite finite_acc(vfinite ok, vf ax)
{
    return vandq_u32(ok, vcltq_f32(ax, vdupq_n_f32(INFINITY))); /* false for +-inf and NaN */
}
AI int finite_all(vfinite ok)
{
    return vminvq_u32(ok) != 0;
}

/* All-ones in the lanes whose bit j (j < 2) is set. */
AI uint32x4_t lane_bit_mask(unsigned j)
{
    static const uint32_t masks[RM1_LANE_BITS][4] = {{0, ~0u, 0, ~0u}, {0, 0, ~0u, ~0u}};
    return vld1q_u32(masks[j]);
}

/* v >= 0, so zeroing the other lanes leaves each half maximum unchanged. */
AI void lane_maxes(vf v, unsigned j, float *a0, float *a1)
{
    const uint32x4_t set = lane_bit_mask(j), u = vreinterpretq_u32_f32(v);
    *a0 = vmaxvq_f32(vreinterpretq_f32_u32(vbicq_u32(u, set)));
    *a1 = vmaxvq_f32(vreinterpretq_f32_u32(vandq_u32(u, set)));
}

AI vf lane_pick(unsigned j, vf x0, vf x1)
{
    return vbslq_f32(lane_bit_mask(j), x1, x0);
}

AI void lane_sums(vf v, unsigned j, float *s0, float *s1)
{
    const uint32x4_t set = lane_bit_mask(j), u = vreinterpretq_u32_f32(v);
    *s0 = vaddvq_f32(vreinterpretq_f32_u32(vbicq_u32(u, set)));
    *s1 = vaddvq_f32(vreinterpretq_f32_u32(vandq_u32(u, set)));
}

AI void fht_batch(float *x, unsigned m, size_t count)
{
    fht_f32_batch_neon(x, m, count);
}

#include "softmap_driver.h"

void rm1_map_neon(const float *llr, unsigned m, size_t frames, uint8_t *bits)
{
    rm1_decode(RM1_MAP, llr, m, frames, bits);
}

void rm1_softmap_maxlog_neon(const float *llr, unsigned m, size_t frames, float *out)
{
    rm1_decode(RM1_MAXLOG, llr, m, frames, out);
}

void rm1_softmap_exact_neon(const float *llr, unsigned m, size_t frames, float *out)
{
    rm1_decode(RM1_EXACT, llr, m, frames, out);
}
