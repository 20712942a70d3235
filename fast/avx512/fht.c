/* Walsh–Hadamard transform, AVX-512 (16 floats per register). Mirrors ref/fht.c: fht_f32_ref and
 * fht_f32_batch_ref. The pass structure (first pass, radix passes, L1 blocking, packed batches) is
 * fast/fht_driver.h's; this file supplies the registers.
 *
 * Tricks:
 * - Stages h = 1, 2, 4, 8 stay inside one register: with t the register with partners h apart
 *   swapped (vpermilps / vshuff32x4), lanes whose bit h is clear want x + t and lanes whose bit h
 *   is set want t - x = (-x) + t. One FMA with a +-1 vector, s*x + t, computes exactly that: the
 *   product s*x is exact, so the single rounding is the one of the addition (bit-identical to
 *   ref's a + b and a - b, NaN and infinities included), and the FMA units, which the butterflies
 *   between registers leave idle, take this work off the adders (about 15% faster on Zen 4 than
 *   a sign-bit xor followed by an add).
 * - Stages h = 16 .. 128 are butterflies between the 16 registers of a 256-float chunk, so the
 *   first memory pass already does 8 stages; the remaining stages run as radix-16 (or smaller)
 *   passes.
 * Unaligned loads and stores throughout; a single vector shorter than a register uses narrower
 * registers, the tail of a batch of short vectors masked loads and stores, neither ever touches
 * memory outside the vectors.
 */
#include <immintrin.h>

#include "refast/fht.h"
#include "simd_inline.h"

typedef __m512 vf;
#define FHT_LANE_BITS 4
/* 16 of the 32 registers hold a chunk: radix-16 passes. */
#define FHT_REG_BITS 4

AI vf vf_load(const float *p)
{
    return _mm512_loadu_ps(p);
}
AI void vf_store(float *p, vf v)
{
    _mm512_storeu_ps(p, v);
}
AI vf vf_add(vf a, vf b)
{
    return _mm512_add_ps(a, b);
}
AI vf vf_sub(vf a, vf b)
{
    return _mm512_sub_ps(a, b);
}

/* One in-register stage: the permute swaps the partners h apart, sign is -1 in the lanes whose bit
 * h is set and +1 elsewhere. */
AI __m512 stage_h1(__m512 v, __m512 sign)
{
    return _mm512_fmadd_ps(v, sign, _mm512_permute_ps(v, 0xB1));
}
AI __m512 stage_h2(__m512 v, __m512 sign)
{
    return _mm512_fmadd_ps(v, sign, _mm512_permute_ps(v, 0x4E));
}
AI __m512 stage_h4(__m512 v, __m512 sign)
{
    return _mm512_fmadd_ps(v, sign, _mm512_shuffle_f32x4(v, v, 0xB1));
}
AI __m512 stage_h8(__m512 v, __m512 sign)
{
    return _mm512_fmadd_ps(v, sign, _mm512_shuffle_f32x4(v, v, 0x4E));
}

typedef struct fht_signs {
    __m512 h1, h2, h4, h8;
} fht_signs;

AI fht_signs fht_make_signs(void)
{
    const float m = -1.0f, p = 1.0f;
    fht_signs s;
    s.h1 = _mm512_set_ps(m, p, m, p, m, p, m, p, m, p, m, p, m, p, m, p);
    s.h2 = _mm512_set_ps(m, m, p, p, m, m, p, p, m, m, p, p, m, m, p, p);
    s.h4 = _mm512_set_ps(m, m, m, m, p, p, p, p, m, m, m, m, p, p, p, p);
    s.h8 = _mm512_set_ps(m, m, m, m, m, m, m, m, p, p, p, p, p, p, p, p);
    return s;
}

/* The first `lg` (<= 4) stages inside one register. */
AI __m512 inreg(__m512 v, unsigned lg, const fht_signs *s)
{
    if (lg > 0) v = stage_h1(v, s->h1);
    if (lg > 1) v = stage_h2(v, s->h2);
    if (lg > 2) v = stage_h4(v, s->h4);
    if (lg > 3) v = stage_h8(v, s->h8);
    return v;
}

/* As few passes as possible (radix 16 first). */
AI unsigned pass_stages(unsigned stages)
{
    return stages >= 4 ? 4 : stages;
}

#include "fht_driver.h"

/* log2n < 4 with narrower registers: masked zmm stores would defeat store-to-load forwarding
 * for whoever reads the vector next (a stall of ~20 cycles, more than the transform). */
static void fht_short(float *x, unsigned log2n)
{
    if (log2n == 1) {
        const float a = x[0], b = x[1];
        x[0] = a + b;
        x[1] = a - b;
    } else if (log2n == 2) {
        __m128 v = _mm_loadu_ps(x);
        v = _mm_fmadd_ps(v, _mm_set_ps(-1.0f, 1.0f, -1.0f, 1.0f), _mm_permute_ps(v, 0xB1));
        v = _mm_fmadd_ps(v, _mm_set_ps(-1.0f, -1.0f, 1.0f, 1.0f), _mm_permute_ps(v, 0x4E));
        _mm_storeu_ps(x, v);
    } else {
        const float m = -1.0f, p = 1.0f;
        __m256 v = _mm256_loadu_ps(x);
        v = _mm256_fmadd_ps(v, _mm256_set_ps(m, p, m, p, m, p, m, p), _mm256_permute_ps(v, 0xB1));
        v = _mm256_fmadd_ps(v, _mm256_set_ps(m, m, p, p, m, m, p, p), _mm256_permute_ps(v, 0x4E));
        v = _mm256_fmadd_ps(v, _mm256_set_ps(m, m, m, m, p, p, p, p),
                            _mm256_permute2f128_ps(v, v, 0x01));
        _mm256_storeu_ps(x, v);
    }
}

void fht_f32_avx512(float *x, unsigned log2n)
{
    if (log2n == 0) return;
    if (log2n < 4) fht_short(x, log2n);
    else fht_large(x, log2n);
}

/* Batch of vectors shorter than a register: each register holds 16/n whole vectors. */
AI void batch_short(float *x, unsigned log2n, size_t total)
{
    const fht_signs s = fht_make_signs();
    size_t i = 0;
    for (; i + 16 <= total; i += 16)
        _mm512_storeu_ps(x + i, inreg(_mm512_loadu_ps(x + i), log2n, &s));
    if (i < total) {
        const __mmask16 k = (__mmask16)((1u << (total - i)) - 1);
        _mm512_mask_storeu_ps(x + i, k, inreg(_mm512_maskz_loadu_ps(k, x + i), log2n, &s));
    }
}

void fht_f32_batch_avx512(float *x, unsigned log2n, size_t count)
{
    if (log2n == 0 || count == 0) return;
    const size_t n = (size_t)1 << log2n;
    switch (log2n) {
    case 1: batch_short(x, 1, count * n); return;
    case 2: batch_short(x, 2, count * n); return;
    case 3: batch_short(x, 3, count * n); return;
    default: break;
    }
    size_t v = log2n < FHT_LANE_BITS + FHT_REG_BITS ? batch_packed(x, log2n, count) : 0;
    for (; v < count; v++) fht_f32_avx512(x + v * n, log2n);
}
