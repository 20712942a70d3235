/* The avx512 level's in-register Walsh–Hadamard stages (fast/generic/fht.c runs the passes).
 *
 * Stages h = 1, 2, 4, 8 stay inside one register: with t the register with partners h apart
 * swapped (vpermilps / vshuff32x4), lanes whose bit h is clear want x + t and lanes whose bit h is
 * set want t - x = (-x) + t. One FMA with a +-1 vector, s*x + t, computes exactly that: the
 * product s*x is exact, so the single rounding is the one of the addition (bit-identical to ref's
 * a + b and a - b, NaN and infinities included), and the FMA units, which the butterflies between
 * registers leave idle, take this work off the adders (about 15% faster on Zen 4 than a sign-bit
 * xor followed by an add). Stages h = 16 .. 128 are butterflies between the 16 registers of a
 * 256-float chunk (radix-16 passes). A single vector shorter than a register uses narrower
 * registers, the tail of a batch of short vectors masked loads and stores; neither ever touches
 * memory outside the vectors.
 */
#ifndef REFAST_FAST_FHT_INREG_H
#define REFAST_FAST_FHT_INREG_H

#include "simd.h"

/* 16 of the 32 registers hold a chunk: radix-16 passes. */
#define FHT_REG_BITS 4

typedef struct fht_signs {
    vf h1, h2, h4, h8; /* -1 in the lanes whose bit h is set, +1 elsewhere */
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
AI vf inreg(vf v, unsigned lg, const fht_signs *s)
{
    if (lg > 0) v = _mm512_fmadd_ps(v, s->h1, _mm512_permute_ps(v, 0xB1));
    if (lg > 1) v = _mm512_fmadd_ps(v, s->h2, _mm512_permute_ps(v, 0x4E));
    if (lg > 2) v = _mm512_fmadd_ps(v, s->h4, _mm512_shuffle_f32x4(v, v, 0xB1));
    if (lg > 3) v = _mm512_fmadd_ps(v, s->h8, _mm512_shuffle_f32x4(v, v, 0x4E));
    return v;
}

/* As few passes as possible (radix 16 first). */
AI unsigned pass_stages(unsigned stages)
{
    return stages >= 4 ? 4 : stages;
}

/* One vector of 2^log2n floats, 1 < log2n < 4, in a narrower register: masked zmm stores would
 * defeat store-to-load forwarding for whoever reads the vector next (a stall of ~20 cycles, more
 * than the transform). */
AI void fht_short(float *x, unsigned log2n)
{
    const float m = -1.0f, p = 1.0f;
    if (log2n == 2) {
        __m128 v = _mm_loadu_ps(x);
        v = _mm_fmadd_ps(v, _mm_set_ps(m, p, m, p), _mm_permute_ps(v, 0xB1));
        v = _mm_fmadd_ps(v, _mm_set_ps(m, m, p, p), _mm_permute_ps(v, 0x4E));
        _mm_storeu_ps(x, v);
    } else {
        __m256 v = _mm256_loadu_ps(x);
        v = _mm256_fmadd_ps(v, _mm256_set_ps(m, p, m, p, m, p, m, p), _mm256_permute_ps(v, 0xB1));
        v = _mm256_fmadd_ps(v, _mm256_set_ps(m, m, p, p, m, m, p, p), _mm256_permute_ps(v, 0x4E));
        v = _mm256_fmadd_ps(v, _mm256_set_ps(m, m, m, m, p, p, p, p), _mm256_permute2f128_ps(v, v, 0x01));
        _mm256_storeu_ps(x, v);
    }
}

/* A batch of vectors of 2^log2n < 16 floats: each register holds 16/n whole vectors. Returns
 * count. */
AI size_t fht_batch_short(float *x, unsigned log2n, size_t count)
{
    const size_t total = count << log2n;
    const fht_signs s = fht_make_signs();
    size_t i = 0;
    for (; i + 16 <= total; i += 16) vf_storeu(x + i, inreg(vf_loadu(x + i), log2n, &s));
    if (i < total) vf_storen(x + i, total - i, inreg(vf_loadn(x + i, total - i), log2n, &s));
    return count;
}

#endif
