/* MAP and Soft-MAP of RM(m,1), AVX-512 (16 floats per register). Mirrors ref/softmap.c:
 * rm1_map_ref, rm1_softmap_maxlog_ref, rm1_softmap_exact_ref.
 *
 * The frame driver, the MAP argmax, the per-bit half maxima and the exact LLR's sums are
 * fast/softmap_driver.h's (its comment has the tricks); this file supplies the registers:
 * - vf_max_num is VMAXPS(|W|, best), which returns its second operand when the first is NaN.
 * - The exp is exp_nonpos of fast/avx512/vmath.h (shared with dumer.c; its accuracy statement is
 *   there); arguments below -87 give e^-87, an absolute error under 2e-38 on a sum that is >= 1.
 * - The 4 lane bits are mask-register reductions of one register.
 * Rounding depth of the sums: <= 64 + n/1024 + 4.
 */
#include <immintrin.h>
#include <math.h>

#include "refast/fht.h"
#include "refast/softmap.h"
#include "simd_inline.h"
#include "vmath.h"

typedef __m512 vf;
#define RM1_LANE_BITS 4

AI vf vf_load(const float *p)
{
    return _mm512_loadu_ps(p);
}
AI void vf_store(float *p, vf v)
{
    _mm512_storeu_ps(p, v);
}
AI vf vf_set1(float s)
{
    return _mm512_set1_ps(s);
}
AI vf vf_zero(void)
{
    return _mm512_setzero_ps();
}
AI vf vf_add(vf a, vf b)
{
    return _mm512_add_ps(a, b);
}
AI vf vf_sub(vf a, vf b)
{
    return _mm512_sub_ps(a, b);
}
AI vf vf_mul(vf a, vf b)
{
    return _mm512_mul_ps(a, b);
}
AI vf vf_max(vf a, vf b)
{
    return _mm512_max_ps(a, b);
}
AI vf vf_min(vf a, vf b)
{
    return _mm512_min_ps(a, b);
}
AI vf vf_max_num(vf x, vf best)
{
    return _mm512_max_ps(x, best);
}
AI vf vf_abs(vf x)
{
    return _mm512_abs_ps(x);
}
AI float vf_hmax(vf x)
{
    return _mm512_reduce_max_ps(x);
}
AI float vf_hmin(vf x)
{
    return _mm512_reduce_min_ps(x);
}
AI float vf_hsum(vf x)
{
    return _mm512_reduce_add_ps(x);
}

AI int first_equal(vf x, vf y)
{
    const __mmask16 eq = _mm512_cmp_ps_mask(x, y, _CMP_EQ_OQ);
    return eq ? __builtin_ctz(eq) : -1;
}

/* The lanes seen so far with |W| = inf or NaN. */
typedef __mmask16 vfinite;
AI vfinite finite_init(void)
{
    return 0;
}
AI vfinite finite_acc(vfinite bad, vf ax)
{
    return bad | _mm512_cmp_ps_mask(ax, _mm512_set1_ps(INFINITY), _CMP_NLT_UQ);
}
AI int finite_all(vfinite bad)
{
    return !bad;
}

/* Lanes whose bit j (j < 4) is set. */
static const __mmask16 lane_bit_mask[RM1_LANE_BITS] = {0xAAAA, 0xCCCC, 0xF0F0, 0xFF00};

AI void lane_maxes(vf v, unsigned j, float *a0, float *a1)
{
    *a0 = _mm512_mask_reduce_max_ps((__mmask16)~lane_bit_mask[j], v);
    *a1 = _mm512_mask_reduce_max_ps(lane_bit_mask[j], v);
}

AI vf lane_pick(unsigned j, vf x0, vf x1)
{
    return _mm512_mask_blend_ps(lane_bit_mask[j], x0, x1);
}

AI void lane_sums(vf v, unsigned j, float *s0, float *s1)
{
    *s0 = _mm512_mask_reduce_add_ps((__mmask16)~lane_bit_mask[j], v);
    *s1 = _mm512_mask_reduce_add_ps(lane_bit_mask[j], v);
}

AI void fht_batch(float *x, unsigned m, size_t count)
{
    fht_f32_batch_avx512(x, m, count);
}

#include "softmap_driver.h"

void rm1_map_avx512(const float *llr, unsigned m, size_t frames, uint8_t *bits)
{
    rm1_decode(RM1_MAP, llr, m, frames, bits);
}

void rm1_softmap_maxlog_avx512(const float *llr, unsigned m, size_t frames, float *out)
{
    rm1_decode(RM1_MAXLOG, llr, m, frames, out);
}

void rm1_softmap_exact_avx512(const float *llr, unsigned m, size_t frames, float *out)
{
    rm1_decode(RM1_EXACT, llr, m, frames, out);
}
