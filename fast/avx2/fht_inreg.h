/* The avx2 level's in-register Walsh–Hadamard stages (fast/generic/fht.c runs the passes).
 *
 * Stages h = 1, 2, 4 stay inside one register: with t the register with partners h apart swapped
 * (vpermilps / vperm2f128), lanes whose bit h is clear want x + t and lanes whose bit h is set want
 * t - x = (-x) + t. One FMA with a +-1 vector, s*x + t, computes exactly that: the product s*x is
 * exact, so the single rounding is the one of the addition (bit-identical to ref's a + b and
 * a - b, NaN and infinities included), and the FMA units, which the butterflies between registers
 * leave idle, take this work off the adders. Stages h = 8, 16, 32 are butterflies between the 8
 * registers of a 64-float chunk (radix-8 passes). A vector of 4 floats uses one 128-bit register;
 * the tail of a batch of short vectors uses vmaskmovps, which never touches memory outside.
 */
#ifndef REFAST_FAST_FHT_INREG_H
#define REFAST_FAST_FHT_INREG_H

#include "simd.h"

/* 8 of the 16 registers hold a chunk: radix-8 passes. */
#define FHT_REG_BITS 3

typedef struct fht_signs {
    vf h1, h2, h4; /* -1 in the lanes whose bit h is set, +1 elsewhere */
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
AI vf inreg(vf v, unsigned lg, const fht_signs *s)
{
    if (lg > 0) v = _mm256_fmadd_ps(v, s->h1, _mm256_permute_ps(v, 0xB1));
    if (lg > 1) v = _mm256_fmadd_ps(v, s->h2, _mm256_permute_ps(v, 0x4E));
    if (lg > 2) v = _mm256_fmadd_ps(v, s->h4, _mm256_permute2f128_ps(v, v, 0x01));
    return v;
}

/* Passes of at most 3 stages, balanced (4 = 2 + 2). */
AI unsigned pass_stages(unsigned stages)
{
    return stages == 4 ? 2 : stages >= 3 ? 3 : stages;
}

/* One vector of 2^log2n floats, 1 < log2n < 3: one 128-bit register. */
AI void fht_short(float *x, unsigned log2n)
{
    (void)log2n;
    __m128 v = _mm_loadu_ps(x);
    v = _mm_fmadd_ps(v, _mm_set_ps(-1.0f, 1.0f, -1.0f, 1.0f), _mm_permute_ps(v, 0xB1));
    v = _mm_fmadd_ps(v, _mm_set_ps(-1.0f, -1.0f, 1.0f, 1.0f), _mm_permute_ps(v, 0x4E));
    _mm_storeu_ps(x, v);
}

/* A batch of vectors of 2^log2n < 8 floats: each register holds 8/n whole vectors. Returns count. */
AI size_t fht_batch_short(float *x, unsigned log2n, size_t count)
{
    const size_t total = count << log2n;
    const fht_signs s = fht_make_signs();
    size_t i = 0;
    for (; i + 8 <= total; i += 8) vf_storeu(x + i, inreg(vf_loadu(x + i), log2n, &s));
    if (i < total) vf_storen(x + i, total - i, inreg(vf_loadn(x + i, total - i), log2n, &s));
    return count;
}

#endif
