/* AVX2 pieces of the polar SC and SC-list stages (fast/polar_stages.h), shared by
 * fast/avx2/polar_sc.c and fast/avx2/polar_scl.c: 8 lanes at a time for h >= 8, one 128-bit
 * register at h = 4 and the low 2 or 1 lanes of one at h = 2, 1 (branch-free, the same lane
 * operations). minsum's magnitude is VMINPS(|a|, |b|) (= ref's (|a| < |b|) ? |a| : |b|), its sign
 * the XOR of two ordered "< 0" compares applied by XOR with -0.0f (ref's negation); g is a blend of
 * L2 - L1 and L2 + L1.
 */
#ifndef REFAST_FAST_AVX2_POLAR_PRIMS_H
#define REFAST_FAST_AVX2_POLAR_PRIMS_H

#include <immintrin.h>
#include <string.h>

#include "polar_stages.h"
#include "simd_inline.h"

AI __m256 vf_minsum(__m256 a, __m256 b)
{
    const __m256 zero = _mm256_setzero_ps(), sign = _mm256_set1_ps(-0.0f);
    __m256 mn = _mm256_min_ps(_mm256_andnot_ps(sign, a), _mm256_andnot_ps(sign, b));
    __m256 neg = _mm256_xor_ps(_mm256_cmp_ps(a, zero, _CMP_LT_OQ), _mm256_cmp_ps(b, zero, _CMP_LT_OQ));
    return _mm256_xor_ps(mn, _mm256_and_ps(neg, sign));
}

AI __m128 vf_minsum4(__m128 a, __m128 b)
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

/* Subtract mask of g: lanes whose byte x[i] is nonzero. */
AI __m256 g_sub8(const uint8_t *x)
{
    return _mm256_castsi256_ps(
        _mm256_cmpgt_epi32(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const void *)x)), _mm256_setzero_si256()));
}

AI __m128 g_sub4(int32_t xw)
{
    return _mm_castsi128_ps(_mm_cmpgt_epi32(_mm_cvtepu8_epi32(_mm_cvtsi32_si128(xw)), _mm_setzero_si128()));
}

AI __m256 vg(__m256 a, __m256 b, const uint8_t *x)
{
    return _mm256_blendv_ps(_mm256_add_ps(b, a), _mm256_sub_ps(b, a), g_sub8(x));
}

static inline void polar_vf_minsum(const float *L, size_t h, float *out)
{
    if (h >= 8) {
        for (size_t i = 0; i < h; i += 8)
            _mm256_storeu_ps(out + i, vf_minsum(_mm256_loadu_ps(L + i), _mm256_loadu_ps(L + i + h)));
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
    if (h >= 8) {
        for (size_t i = 0; i < h; i += 8)
            _mm256_storeu_ps(out + i, vg(_mm256_loadu_ps(L + i), _mm256_loadu_ps(L + i + h), x + i));
    } else {
        int32_t xw;
        memcpy(&xw, x, 4);
        __m128 a = _mm_loadu_ps(L), b = _mm_loadu_ps(L + 4);
        _mm_storeu_ps(out, _mm_blendv_ps(_mm_add_ps(b, a), _mm_sub_ps(b, a), g_sub4(xw)));
    }
}

static inline void polar_vg_small(const float *L, const uint8_t *x, size_t h, float *out)
{
    __m128 a = h == 2 ? load2(L) : _mm_load_ss(L), b = h == 2 ? load2(L + 2) : _mm_load_ss(L + 1);
    const int32_t xw = h == 2 ? (int32_t)(x[0] | x[1] << 8) : (int32_t)x[0];
    __m128 r = _mm_blendv_ps(_mm_add_ps(b, a), _mm_sub_ps(b, a), g_sub4(xw));
    if (h == 2) _mm_storeu_si64(out, _mm_castps_si128(r));
    else _mm_store_ss(out, r);
}

/* w = a ^ v over len bytes (w may be a). */
static inline void polar_xor(uint8_t *w, const uint8_t *a, const uint8_t *v, size_t len)
{
    size_t i = 0;
    for (; i + 32 <= len; i += 32)
        _mm256_storeu_si256((void *)(w + i), _mm256_xor_si256(_mm256_loadu_si256((const void *)(a + i)),
                                                              _mm256_loadu_si256((const void *)(v + i))));
    if (len - i >= 16) {
        _mm_storeu_si128((void *)(w + i), _mm_xor_si128(_mm_loadu_si128((const void *)(a + i)),
                                                        _mm_loadu_si128((const void *)(v + i))));
        i += 16;
    }
    polar_xor_tail(w, a, v, i, len);
}

#endif
