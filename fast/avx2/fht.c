/* Walsh–Hadamard transform, AVX2 (8 floats per register). Mirrors ref/fht.c: fht_f32_ref and
 * fht_f32_batch_ref. The pass structure (first pass, radix passes, L1 blocking, packed batches) is
 * fast/fht_driver.h's; this file supplies the registers.
 *
 * Tricks:
 * - Stages h = 1, 2, 4 stay inside one register: with t the register with partners h apart
 *   swapped (vpermilps / vperm2f128), lanes whose bit h is clear want x + t and lanes whose bit h
 *   is set want t - x = (-x) + t. One FMA with a +-1 vector, s*x + t, computes exactly that: the
 *   product s*x is exact, so the single rounding is the one of the addition (bit-identical to
 *   ref's a + b and a - b, NaN and infinities included), and the FMA units, which the butterflies
 *   between registers leave idle, take this work off the adders.
 * - Stages h = 8, 16, 32 are butterflies between the 8 registers of a 64-float chunk, so the first
 *   memory pass does 6 stages; the remaining ones run as radix-8 (or smaller) passes.
 * Unaligned loads and stores throughout; the tail of a batch of short vectors uses vmaskmovps,
 * which never touches memory outside the vectors.
 */
#include <immintrin.h>

#include "refast/fht.h"
#include "simd_inline.h"

typedef __m256 vf;
#define FHT_LANE_BITS 3
/* 8 of the 16 registers hold a chunk: radix-8 passes. */
#define FHT_REG_BITS 3

AI vf vf_load(const float *p)
{
    return _mm256_loadu_ps(p);
}
AI void vf_store(float *p, vf v)
{
    _mm256_storeu_ps(p, v);
}
AI vf vf_add(vf a, vf b)
{
    return _mm256_add_ps(a, b);
}
AI vf vf_sub(vf a, vf b)
{
    return _mm256_sub_ps(a, b);
}

/* One in-register stage: the permute swaps the partners h apart, sign is -1 in the lanes whose bit
 * h is set and +1 elsewhere. */
AI __m256 stage_h1(__m256 v, __m256 sign)
{
    return _mm256_fmadd_ps(v, sign, _mm256_permute_ps(v, 0xB1));
}
AI __m256 stage_h2(__m256 v, __m256 sign)
{
    return _mm256_fmadd_ps(v, sign, _mm256_permute_ps(v, 0x4E));
}
AI __m256 stage_h4(__m256 v, __m256 sign)
{
    return _mm256_fmadd_ps(v, sign, _mm256_permute2f128_ps(v, v, 0x01));
}

typedef struct fht_signs {
    __m256 h1, h2, h4;
} fht_signs;

AI fht_signs fht_make_signs(void)
{
    const float m = -1.0f, p = 1.0f;
    fht_signs s;
    s.h1 = _mm256_set_ps(m, p, m, p, m, p, m, p);
    s.h2 = _mm256_set_ps(m, m, p, p, m, m, p, p);
    s.h4 = _mm256_set_ps(m, m, m, m, p, p, p, p);
    return s;
}

/* The first `lg` (<= 3) stages inside one register. */
AI __m256 inreg(__m256 v, unsigned lg, const fht_signs *s)
{
    if (lg > 0) v = stage_h1(v, s->h1);
    if (lg > 1) v = stage_h2(v, s->h2);
    if (lg > 2) v = stage_h4(v, s->h4);
    return v;
}

/* Passes of at most 3 stages, balanced (4 = 2 + 2). */
AI unsigned pass_stages(unsigned stages)
{
    return stages == 4 ? 2 : stages >= 3 ? 3 : stages;
}

#include "fht_driver.h"

void fht_f32_avx2(float *x, unsigned log2n)
{
    if (log2n == 0) return;
    if (log2n == 1) {
        const float a = x[0], b = x[1];
        x[0] = a + b;
        x[1] = a - b;
    } else if (log2n == 2) {
        const __m128 s1 = _mm_set_ps(-1.0f, 1.0f, -1.0f, 1.0f);
        const __m128 s2 = _mm_set_ps(-1.0f, -1.0f, 1.0f, 1.0f);
        __m128 v = _mm_loadu_ps(x);
        v = _mm_fmadd_ps(v, s1, _mm_permute_ps(v, 0xB1));
        v = _mm_fmadd_ps(v, s2, _mm_permute_ps(v, 0x4E));
        _mm_storeu_ps(x, v);
    } else {
        fht_large(x, log2n);
    }
}

/* Batch of vectors of 2 or 4 floats: each register holds 8/n whole vectors. */
AI void batch_short(float *x, unsigned log2n, size_t total)
{
    const fht_signs s = fht_make_signs();
    size_t i = 0;
    for (; i + 8 <= total; i += 8)
        _mm256_storeu_ps(x + i, inreg(_mm256_loadu_ps(x + i), log2n, &s));
    if (i < total) {
        const __m256i lane = _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0);
        const __m256i k = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(total - i)), lane);
        _mm256_maskstore_ps(x + i, k, inreg(_mm256_maskload_ps(x + i, k), log2n, &s));
    }
}

void fht_f32_batch_avx2(float *x, unsigned log2n, size_t count)
{
    if (log2n == 0 || count == 0) return;
    const size_t n = (size_t)1 << log2n;
    switch (log2n) {
    case 1: batch_short(x, 1, count * n); return;
    case 2: batch_short(x, 2, count * n); return;
    default: break;
    }
    size_t v = log2n < FHT_LANE_BITS + FHT_REG_BITS ? batch_packed(x, log2n, count) : 0;
    for (; v < count; v++) fht_f32_avx2(x + v * n, log2n);
}
