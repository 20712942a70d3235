/* Walsh–Hadamard transform, AArch64 Advanced SIMD (4 floats per register, 32 registers). Mirrors
 * ref/fht.c: fht_f32_ref and fht_f32_batch_ref. The pass structure (first pass, radix passes, L1
 * blocking, packed batches) is fast/fht_driver.h's; this file supplies the registers.
 *
 * Tricks:
 * - Stages h = 1, 2 stay inside one register: with t the register with partners h apart swapped
 *   (rev64 / ext), lanes whose bit h is clear want x + t and lanes whose bit h is set want
 *   t - x = (-x) + t. One fused multiply-add with a +-1 vector, t + s*x, computes exactly that:
 *   the product is exact, so the single rounding is the one of the addition (bit-identical to
 *   ref's a + b and a - b, NaN and infinities included).
 * - Stages h = 4 .. 32 are butterflies between the 16 registers of a 64-float chunk, so the first
 *   memory pass does 6 stages; the remaining ones run as radix-16 (or smaller) passes.
 * NEON loads and stores of floats need only 4-byte alignment; batch tails shorter than a register
 * are done in scalar code, never touching memory outside.
 */
#include <arm_neon.h>

#include "refast/fht.h"
#include "simd_inline.h"

typedef float32x4_t vf;
#define FHT_LANE_BITS 2
/* 16 of the 32 registers hold a chunk: radix-16 passes. */
#define FHT_REG_BITS 4

AI vf vf_load(const float *p)
{
    return vld1q_f32(p);
}
AI void vf_store(float *p, vf v)
{
    vst1q_f32(p, v);
}
AI vf vf_add(vf a, vf b)
{
    return vaddq_f32(a, b);
}
AI vf vf_sub(vf a, vf b)
{
    return vsubq_f32(a, b);
}

typedef struct fht_signs {
    float32x4_t h1, h2;
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
AI float32x4_t inreg(float32x4_t v, unsigned lg, const fht_signs *s)
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

#include "fht_driver.h"

void fht_f32_neon(float *x, unsigned log2n)
{
    if (log2n == 0) return;
    if (log2n == 1) {
        const float a = x[0], b = x[1];
        x[0] = a + b;
        x[1] = a - b;
    } else {
        fht_large(x, log2n);
    }
}

void fht_f32_batch_neon(float *x, unsigned log2n, size_t count)
{
    if (log2n == 0 || count == 0) return;
    const size_t n = (size_t)1 << log2n;
    size_t v = 0;
    if (log2n == 1) {
        /* Two vectors per register: only the h = 1 stage. */
        const fht_signs s = fht_make_signs();
        for (; v + 2 <= count; v += 2) vst1q_f32(x + 2 * v, inreg(vld1q_f32(x + 2 * v), 1, &s));
    } else if (log2n < FHT_LANE_BITS + FHT_REG_BITS) {
        v = batch_packed(x, log2n, count);
    }
    for (; v < count; v++) fht_f32_neon(x + v * n, log2n);
}
