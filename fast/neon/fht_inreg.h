/* The neon level's in-register Walsh–Hadamard stages (fast/generic/fht.c runs the passes).
 *
 * Stages h = 1, 2 stay inside one register: with t the register with partners h apart swapped
 * (rev64 / ext), lanes whose bit h is clear want x + t and lanes whose bit h is set want
 * t - x = (-x) + t. One fused multiply-add with a +-1 vector, t + s*x, computes exactly that: the
 * product is exact, so the single rounding is the one of the addition (bit-identical to ref's
 * a + b and a - b, NaN and infinities included). Stages h = 4 .. 32 are butterflies between the 16
 * registers of a 64-float chunk (radix-16 passes). Batch tails shorter than a register are done in
 * scalar code, never touching memory outside.
 */
#ifndef REFAST_FAST_FHT_INREG_H
#define REFAST_FAST_FHT_INREG_H

#include "simd.h"

/* 16 of the 32 registers hold a chunk: radix-16 passes. */
#define FHT_REG_BITS 4

typedef struct fht_signs {
    vf h1, h2; /* -1 in the lanes whose bit h is set, +1 elsewhere */
} fht_signs;

AI fht_signs fht_make_signs(void)
{
    static const float k1[4] = {1.0f, -1.0f, 1.0f, -1.0f};
    static const float k2[4] = {1.0f, 1.0f, -1.0f, -1.0f};
    fht_signs s;
    s.h1 = vld1q_f32(k1);
    s.h2 = vld1q_f32(k2);
    return s;
}

/* The first `lg` (<= 2) stages inside one register: t + sign * x, t the swapped register. */
AI vf inreg(vf v, unsigned lg, const fht_signs *s)
{
    if (lg > 0) v = vfmaq_f32(vrev64q_f32(v), v, s->h1);
    if (lg > 1) v = vfmaq_f32(vextq_f32(v, v, 2), v, s->h2);
    return v;
}

/* As few passes as possible (radix 16 first). */
AI unsigned pass_stages(unsigned stages)
{
    return stages < 4 ? stages : 4;
}

/* No vector of 1 < log2n < 2 floats. */
AI void fht_short(float *x, unsigned log2n)
{
    (void)x, (void)log2n;
}

/* Vectors of 2 floats, two per register (only the h = 1 stage); the odd one out is left to the
 * caller. Returns how many were done. */
AI size_t fht_batch_short(float *x, unsigned log2n, size_t count)
{
    const fht_signs s = fht_make_signs();
    size_t v = 0;
    for (; v + 2 <= count; v += 2) vst1q_f32(x + 2 * v, inreg(vld1q_f32(x + 2 * v), log2n, &s));
    return v;
}

#endif
