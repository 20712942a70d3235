/* MAP and Soft-MAP of RM(m,1), AVX2 + FMA (8 floats per register). Mirrors ref/softmap.c:
 * rm1_map_ref, rm1_softmap_maxlog_ref, rm1_softmap_exact_ref.
 *
 * The frame driver, the MAP argmax, the per-bit half maxima and the exact LLR's sums are
 * fast/softmap_driver.h's (its comment has the tricks); this file supplies the registers:
 * - vf_max_num is VMAXPS(|W|, best), which returns its second operand when the first is NaN.
 * - The exp is exp_nonpos of fast/avx2/vmath.h (shared with dumer.c; its accuracy statement is
 *   there); arguments below -87 give e^-87, an absolute error under 2e-38 on a sum that is >= 1.
 * - The 3 lane bits are masked (and / andnot) reductions of one register.
 * Rounding depth of the sums: <= 64 + n/512 + 3.
 */
#include <immintrin.h>
#include <math.h>

#include "refast/fht.h"
#include "refast/softmap.h"
#include "simd_inline.h"
#include "vmath.h"

typedef __m256 vf;
#define RM1_LANE_BITS 3

AI vf vf_load(const float *p)
{
    return _mm256_loadu_ps(p);
}
AI void vf_store(float *p, vf v)
{
    _mm256_storeu_ps(p, v);
}
AI vf vf_set1(float s)
{
    return _mm256_set1_ps(s);
}
AI vf vf_zero(void)
{
    return _mm256_setzero_ps();
}
AI vf vf_add(vf a, vf b)
{
    return _mm256_add_ps(a, b);
}
AI vf vf_sub(vf a, vf b)
{
    return _mm256_sub_ps(a, b);
}
AI vf vf_mul(vf a, vf b)
{
    return _mm256_mul_ps(a, b);
}
AI vf vf_max(vf a, vf b)
{
    return _mm256_max_ps(a, b);
}
AI vf vf_min(vf a, vf b)
{
    return _mm256_min_ps(a, b);
}
AI vf vf_max_num(vf x, vf best)
{
    return _mm256_max_ps(x, best);
}
AI vf vf_abs(vf x)
{
    return _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)));
}

AI float vf_hmax(vf x)
{
    __m128 v = _mm_max_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    v = _mm_max_ps(v, _mm_movehl_ps(v, v));
    v = _mm_max_ss(v, _mm_movehdup_ps(v));
    return _mm_cvtss_f32(v);
}

AI float vf_hmin(vf x)
{
    __m128 v = _mm_min_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    v = _mm_min_ps(v, _mm_movehl_ps(v, v));
    v = _mm_min_ss(v, _mm_movehdup_ps(v));
    return _mm_cvtss_f32(v);
}

AI float vf_hsum(vf x)
{
    __m128 v = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    v = _mm_add_ps(v, _mm_movehl_ps(v, v));
    v = _mm_add_ss(v, _mm_movehdup_ps(v));
    return _mm_cvtss_f32(v);
}

AI int first_equal(vf x, vf y)
{
    const int eq = _mm256_movemask_ps(_mm256_cmp_ps(x, y, _CMP_EQ_OQ));
    return eq ? __builtin_ctz((unsigned)eq) : -1;
}

/* The lanes seen so far with |W| = inf or NaN. */
typedef __m256 vfinite;
AI vfinite finite_init(void)
{
    return _mm256_setzero_ps();
}
AI vfinite finite_acc(vfinite bad, vf ax)
{
    return _mm256_or_ps(bad, _mm256_cmp_ps(ax, _mm256_set1_ps(INFINITY), _CMP_NLT_UQ));
}
AI int finite_all(vfinite bad)
{
    return !_mm256_movemask_ps(bad);
}

/* All-ones in the lanes whose bit j (j < 3) is set. */
AI __m256 lane_bit_mask(unsigned j)
{
    const int s = -1;
    switch (j) {
    case 0: return _mm256_castsi256_ps(_mm256_setr_epi32(0, s, 0, s, 0, s, 0, s));
    case 1: return _mm256_castsi256_ps(_mm256_setr_epi32(0, 0, s, s, 0, 0, s, s));
    default: return _mm256_castsi256_ps(_mm256_setr_epi32(0, 0, 0, 0, s, s, s, s));
    }
}

/* v >= 0, so zeroing the other lanes leaves each half maximum unchanged. */
AI void lane_maxes(vf v, unsigned j, float *a0, float *a1)
{
    const __m256 set = lane_bit_mask(j);
    *a0 = vf_hmax(_mm256_andnot_ps(set, v));
    *a1 = vf_hmax(_mm256_and_ps(set, v));
}

AI vf lane_pick(unsigned j, vf x0, vf x1)
{
    return _mm256_blendv_ps(x0, x1, lane_bit_mask(j));
}

AI void lane_sums(vf v, unsigned j, float *s0, float *s1)
{
    const __m256 set = lane_bit_mask(j);
    *s0 = vf_hsum(_mm256_andnot_ps(set, v));
    *s1 = vf_hsum(_mm256_and_ps(set, v));
}

AI void fht_batch(float *x, unsigned m, size_t count)
{
    fht_f32_batch_avx2(x, m, count);
}

#include "softmap_driver.h"

void rm1_map_avx2(const float *llr, unsigned m, size_t frames, uint8_t *bits)
{
    rm1_decode(RM1_MAP, llr, m, frames, bits);
}

void rm1_softmap_maxlog_avx2(const float *llr, unsigned m, size_t frames, float *out)
{
    rm1_decode(RM1_MAXLOG, llr, m, frames, out);
}

void rm1_softmap_exact_avx2(const float *llr, unsigned m, size_t frames, float *out)
{
    rm1_decode(RM1_EXACT, llr, m, frames, out);
}
