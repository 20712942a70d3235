/* AVX-512 pieces of the polar SC and SC-list stages (fast/polar_stages.h), shared by
 * fast/avx512/polar_sc.c and fast/avx512/polar_scl.c: 16 lanes at a time for h >= 16, one 256- or
 * 128-bit register at h = 8, 4 and the low 2 or 1 lanes of a 128-bit one at h = 2, 1 (branch-free,
 * the same lane operations). minsum is VMINPS of the magnitudes (= ref's (|a| < |b|) ? |a| : |b|)
 * with the sign from two ordered "< 0" compares applied by a masked XOR with -0.0f; g is a masked
 * subtract (L2 - L1) over L2 + L1.
 */
#ifndef REFAST_FAST_AVX512_POLAR_PRIMS_H
#define REFAST_FAST_AVX512_POLAR_PRIMS_H

#include <immintrin.h>
#include <string.h>

#include "polar_stages.h"
#include "simd_inline.h"

AI __m512 vf_minsum(__m512 a, __m512 b)
{
    const __m512 zero = _mm512_setzero_ps();
    __m512 mn = _mm512_min_ps(_mm512_abs_ps(a), _mm512_abs_ps(b));
    __mmask16 neg = _mm512_cmp_ps_mask(a, zero, _CMP_LT_OQ) ^ _mm512_cmp_ps_mask(b, zero, _CMP_LT_OQ);
    return _mm512_mask_xor_ps(mn, neg, mn, _mm512_set1_ps(-0.0f));
}

AI __m256 vf_minsum8(__m256 a, __m256 b)
{
    const __m256 zero = _mm256_setzero_ps(), sign = _mm256_set1_ps(-0.0f);
    __m256 mn = _mm256_min_ps(_mm256_andnot_ps(sign, a), _mm256_andnot_ps(sign, b));
    __mmask8 neg = _mm256_cmp_ps_mask(a, zero, _CMP_LT_OQ) ^ _mm256_cmp_ps_mask(b, zero, _CMP_LT_OQ);
    return _mm256_mask_xor_ps(mn, neg, mn, sign);
}

AI __m128 vf_minsum4(__m128 a, __m128 b)
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

/* Subtract mask of g: the lanes whose decision byte x[i] (0 or 1) is 1. */
AI __mmask16 g_sub16(const uint8_t *x)
{
    return _mm_test_epi8_mask(_mm_loadu_si128((const void *)x), _mm_set1_epi8(1));
}

AI __m512 vg(__m512 a, __m512 b, const uint8_t *x)
{
    return _mm512_mask_sub_ps(_mm512_add_ps(b, a), g_sub16(x), b, a);
}

static inline void polar_vf_minsum(const float *L, size_t h, float *out)
{
    if (h >= 16) {
        for (size_t i = 0; i < h; i += 16)
            _mm512_storeu_ps(out + i, vf_minsum(_mm512_loadu_ps(L + i), _mm512_loadu_ps(L + i + h)));
    } else if (h == 8) {
        _mm256_storeu_ps(out, vf_minsum8(_mm256_loadu_ps(L), _mm256_loadu_ps(L + 8)));
    } else {
        _mm_storeu_ps(out, vf_minsum4(_mm_loadu_ps(L), _mm_loadu_ps(L + 4)));
    }
}

static inline void polar_vf_minsum_small(const float *L, size_t h, float *out)
{
    if (h == 2) _mm_storeu_si64(out, _mm_castps_si128(vf_minsum4(load2(L), load2(L + 2))));
    else _mm_store_ss(out, vf_minsum4(_mm_load_ss(L), _mm_load_ss(L + 1)));
}

static inline void polar_vg(const float *L, const uint8_t *x, size_t h, float *out)
{
    if (h >= 16) {
        for (size_t i = 0; i < h; i += 16)
            _mm512_storeu_ps(out + i, vg(_mm512_loadu_ps(L + i), _mm512_loadu_ps(L + i + h), x + i));
    } else if (h == 8) {
        __m256 a = _mm256_loadu_ps(L), b = _mm256_loadu_ps(L + 8);
        __mmask8 sub = (__mmask8)_mm_test_epi8_mask(_mm_loadl_epi64((const void *)x), _mm_set1_epi8(1));
        _mm256_storeu_ps(out, _mm256_mask_sub_ps(_mm256_add_ps(b, a), sub, b, a));
    } else {
        int32_t xw;
        memcpy(&xw, x, 4);
        __m128 a = _mm_loadu_ps(L), b = _mm_loadu_ps(L + 4);
        __mmask8 sub = (__mmask8)_mm_test_epi8_mask(_mm_cvtsi32_si128(xw), _mm_set1_epi8(1));
        _mm_storeu_ps(out, _mm_mask_sub_ps(_mm_add_ps(b, a), sub, b, a));
    }
}

static inline void polar_vg_small(const float *L, const uint8_t *x, size_t h, float *out)
{
    __m128 a = h == 2 ? load2(L) : _mm_load_ss(L), b = h == 2 ? load2(L + 2) : _mm_load_ss(L + 1);
    const __mmask8 sub = (__mmask8)(h == 2 ? (x[0] != 0) | (x[1] != 0) << 1 : x[0] != 0);
    __m128 r = _mm_mask_sub_ps(_mm_add_ps(b, a), sub, b, a);
    if (h == 2) _mm_storeu_si64(out, _mm_castps_si128(r));
    else _mm_store_ss(out, r);
}

/* w = a ^ v over len bytes (w may be a). */
static inline void polar_xor(uint8_t *w, const uint8_t *a, const uint8_t *v, size_t len)
{
    size_t i = 0;
    for (; i + 64 <= len; i += 64)
        _mm512_storeu_si512((void *)(w + i), _mm512_xor_si512(_mm512_loadu_si512((const void *)(a + i)),
                                                              _mm512_loadu_si512((const void *)(v + i))));
    if (len - i >= 32) {
        _mm256_storeu_si256((void *)(w + i), _mm256_xor_si256(_mm256_loadu_si256((const void *)(a + i)),
                                                              _mm256_loadu_si256((const void *)(v + i))));
        i += 32;
    }
    if (len - i >= 16) {
        _mm_storeu_si128((void *)(w + i), _mm_xor_si128(_mm_loadu_si128((const void *)(a + i)),
                                                        _mm_loadu_si128((const void *)(v + i))));
        i += 16;
    }
    polar_xor_tail(w, a, v, i, len);
}

#endif
