/* The avx512 level's polar f and g for nodes narrower than a register (fast/generic/polar_stages.h):
 * one 256- or 128-bit register at h = 8, 4 and the low 2 or 1 lanes of a 128-bit one at h = 2, 1
 * (branch-free, the lane operations of vf_minsum and vg with mask registers: a masked XOR with
 * -0.0f applies minsum's sign, a masked subtract (L2 - L1) over L2 + L1 is g).
 */
#ifndef REFAST_FAST_POLAR_NARROW_H
#define REFAST_FAST_POLAR_NARROW_H

#include "simd.h"

AI __m256 minsum8(__m256 a, __m256 b)
{
    const __m256 zero = _mm256_setzero_ps(), sign = _mm256_set1_ps(-0.0f);
    __m256 mn = _mm256_min_ps(_mm256_andnot_ps(sign, a), _mm256_andnot_ps(sign, b));
    __mmask8 neg = _mm256_cmp_ps_mask(a, zero, _CMP_LT_OQ) ^ _mm256_cmp_ps_mask(b, zero, _CMP_LT_OQ);
    return _mm256_mask_xor_ps(mn, neg, mn, sign);
}

AI __m128 minsum4(__m128 a, __m128 b)
{
    const __m128 zero = _mm_setzero_ps(), sign = _mm_set1_ps(-0.0f);
    __m128 mn = _mm_min_ps(_mm_andnot_ps(sign, a), _mm_andnot_ps(sign, b));
    __mmask8 neg = _mm_cmp_ps_mask(a, zero, _CMP_LT_OQ) ^ _mm_cmp_ps_mask(b, zero, _CMP_LT_OQ);
    return _mm_mask_xor_ps(mn, neg, mn, sign);
}

AI __m128 load2(const float *p)
{
    return _mm_castsi128_ps(_mm_loadu_si64(p)); /* 8 bytes, any alignment (no UB) */
}

/* minsum f, h < 16 (a power of two). */
AI void polar_minsum_narrow(const float *L, size_t h, float *out)
{
    if (h == 8) _mm256_storeu_ps(out, minsum8(_mm256_loadu_ps(L), _mm256_loadu_ps(L + 8)));
    else if (h == 4) _mm_storeu_ps(out, minsum4(_mm_loadu_ps(L), _mm_loadu_ps(L + 4)));
    else if (h == 2) _mm_storeu_si64(out, _mm_castps_si128(minsum4(load2(L), load2(L + 2))));
    else _mm_store_ss(out, minsum4(_mm_load_ss(L), _mm_load_ss(L + 1)));
}

/* g, h < 16 (a power of two): the lanes whose decision byte x[i] (0 or 1) is 1 subtract. */
AI void polar_g_narrow(const float *L, const uint8_t *x, size_t h, float *out)
{
    if (h == 8) {
        __m256 a = _mm256_loadu_ps(L), b = _mm256_loadu_ps(L + 8);
        __mmask8 sub = (__mmask8)_mm_test_epi8_mask(_mm_loadl_epi64((const void *)x), _mm_set1_epi8(1));
        _mm256_storeu_ps(out, _mm256_mask_sub_ps(_mm256_add_ps(b, a), sub, b, a));
    } else if (h == 4) {
        int32_t xw;
        memcpy(&xw, x, 4);
        __m128 a = _mm_loadu_ps(L), b = _mm_loadu_ps(L + 4);
        __mmask8 sub = (__mmask8)_mm_test_epi8_mask(_mm_cvtsi32_si128(xw), _mm_set1_epi8(1));
        _mm_storeu_ps(out, _mm_mask_sub_ps(_mm_add_ps(b, a), sub, b, a));
    } else {
        __m128 a = h == 2 ? load2(L) : _mm_load_ss(L), b = h == 2 ? load2(L + 2) : _mm_load_ss(L + 1);
        const __mmask8 sub = (__mmask8)(h == 2 ? (x[0] != 0) | (x[1] != 0) << 1 : x[0] != 0);
        __m128 r = _mm_mask_sub_ps(_mm_add_ps(b, a), sub, b, a);
        if (h == 2) _mm_storeu_si64(out, _mm_castps_si128(r));
        else _mm_store_ss(out, r);
    }
}

#endif
