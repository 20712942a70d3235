/* The avx2 level's polar f and g for nodes narrower than a register (fast/generic/polar_stages.h):
 * one 128-bit register at h = 4 and the low 2 or 1 lanes of one at h = 2, 1 (the busiest calls of
 * the decoders: branch-free, the lane operations of vf_minsum and vg).
 */
#ifndef REFAST_FAST_POLAR_NARROW_H
#define REFAST_FAST_POLAR_NARROW_H

#include "simd.h"

AI __m128 minsum4(__m128 a, __m128 b)
{
    const __m128 zero = _mm_setzero_ps(), sign = _mm_set1_ps(-0.0f);
    __m128 mn = _mm_min_ps(_mm_andnot_ps(sign, a), _mm_andnot_ps(sign, b));
    __m128 neg = _mm_xor_ps(_mm_cmp_ps(a, zero, _CMP_LT_OQ), _mm_cmp_ps(b, zero, _CMP_LT_OQ));
    return _mm_xor_ps(mn, _mm_and_ps(neg, sign));
}

AI __m128 load2(const float *p)
{
    return _mm_castsi128_ps(_mm_loadu_si64(p)); /* 8 bytes, any alignment (no UB) */
}

/* g on 4 lanes: the lanes whose byte of xw is nonzero subtract. */
AI __m128 g4(__m128 a, __m128 b, int32_t xw)
{
    const __m128 sub = _mm_castsi128_ps(_mm_cmpgt_epi32(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(xw)), _mm_setzero_si128()));
    return _mm_blendv_ps(_mm_add_ps(b, a), _mm_sub_ps(b, a), sub);
}

/* minsum f, h < 8 (a power of two). */
AI void polar_minsum_narrow(const float *L, size_t h, float *out)
{
    if (h == 4) _mm_storeu_ps(out, minsum4(_mm_loadu_ps(L), _mm_loadu_ps(L + 4)));
    else if (h == 2) _mm_storeu_si64(out, _mm_castps_si128(minsum4(load2(L), load2(L + 2))));
    else _mm_store_ss(out, minsum4(_mm_load_ss(L), _mm_load_ss(L + 1)));
}

/* g, h < 8 (a power of two). */
AI void polar_g_narrow(const float *L, const uint8_t *x, size_t h, float *out)
{
    if (h == 4) {
        int32_t xw;
        memcpy(&xw, x, 4);
        _mm_storeu_ps(out, g4(_mm_loadu_ps(L), _mm_loadu_ps(L + 4), xw));
        return;
    }
    const __m128 a = h == 2 ? load2(L) : _mm_load_ss(L), b = h == 2 ? load2(L + 2) : _mm_load_ss(L + 1);
    const __m128 r = g4(a, b, h == 2 ? (int32_t)(x[0] | x[1] << 8) : (int32_t)x[0]);
    if (h == 2) _mm_storeu_si64(out, _mm_castps_si128(r));
    else _mm_store_ss(out, r);
}

#endif
