/* Walsh–Hadamard transform, AArch64 Advanced SIMD (4 floats per register, 32 registers). Mirrors
 * ref/fht.c: fht_f32_ref and fht_f32_batch_ref.
 *
 * Tricks (as in fast/avx512/fht.c):
 * - Stages h = 1, 2 stay inside one register: with t the register with partners h apart swapped
 *   (rev64 / ext), lanes whose bit h is clear want x + t and lanes whose bit h is set want
 *   t - x = (-x) + t. One fused multiply-add with a +-1 vector, t + s*x, computes exactly that:
 *   the product is exact, so the single rounding is the one of the addition (bit-identical to
 *   ref's a + b and a - b, NaN and infinities included).
 * - Stages h = 4 .. 32 are butterflies between the 16 registers of a 64-float chunk, so the first
 *   memory pass does 6 stages; the remaining ones run as radix-16 (or smaller) passes that load
 *   16 registers 2^s floats apart and do 4 stages before storing.
 * - Vectors longer than an L1-sized block (2^12 floats) are transformed block by block first, and
 *   the stages between blocks follow as radix passes of at most 3 stages (recursively, so the
 *   sub-blocks of a 2^20 vector complete while they sit in L2).
 * Every output still sees the stages in ref's order (h ascending), with the same operands, so the
 * rounding is that of ref. NEON loads and stores of floats need only 4-byte alignment; batch
 * tails shorter than a register are done in scalar code, never touching memory outside.
 */
#include <arm_neon.h>

#include "refast/fht.h"

#define AI static inline __attribute__((always_inline))
/* The register arrays below must become registers: their loops (constant trip counts once
 * inlined) are unrolled completely. GCC needs the pragma; clang unrolls them by itself, and with
 * the pragma plus -fsanitize=undefined -fno-sanitize-recover it spends minutes compiling. */
#if defined(__clang__)
#define RF_UNROLL
#else
#define RF_UNROLL _Pragma("GCC unroll 16")
#endif

/* log2 of the block that is transformed completely before the stages between blocks (16 KiB). */
#define FHT_L1_LOG2 12

typedef struct signs {
    float32x4_t h1, h2;
} signs;

AI signs make_signs(void)
{
    static const float k1[4] = {1.0f, -1.0f, 1.0f, -1.0f};
    static const float k2[4] = {1.0f, 1.0f, -1.0f, -1.0f};
    signs s;
    s.h1 = vld1q_f32(k1);
    s.h2 = vld1q_f32(k2);
    return s;
}

/* The first `lg` (<= 2) stages inside one register: t + sign * x, t the swapped register. */
AI float32x4_t inreg(float32x4_t v, unsigned lg, const signs *s)
{
    if (lg > 0) v = vfmaq_f32(vrev64q_f32(v), v, s->h1);
    if (lg > 1) v = vfmaq_f32(vextq_f32(v, v, 2), v, s->h2);
    return v;
}

/* Stages between registers: r[j] and r[j + h] for h = 1 .. m/2, m = 2^lgm <= 16. Every loop
 * counts linearly to a constant so that GCC can unroll it completely (a loop over h <<= 1 it
 * leaves rolled, and the registers end up on the stack). */
AI void xbfly(float32x4_t *r, unsigned lgm)
{
    RF_UNROLL
    for (unsigned s = 0; s < lgm; s++)
        RF_UNROLL
        for (unsigned b = 0; b < (1u << lgm) / 2; b++) {
            const unsigned h = 1u << s, j = (b >> s << (s + 1)) | (b & (h - 1));
            const float32x4_t x0 = r[j], x1 = r[j + h];
            r[j] = vaddq_f32(x0, x1);
            r[j + h] = vsubq_f32(x0, x1);
        }
}

/* First pass over `total` floats in chunks of m = 2^lgm registers: the 2 in-register stages,
 * then the stages between the m registers of a chunk whose distance is below span = 2^lgspan
 * registers (so that a batch of short vectors packed in one chunk stays independent). */
AI void base_pass(float *x, size_t total, unsigned lgm, unsigned lgspan)
{
    const unsigned m = 1u << lgm, span = 1u << lgspan;
    const signs s = make_signs();
    for (size_t c = 0; c < total; c += 4 * (size_t)m) {
        float32x4_t r[16];
        RF_UNROLL
        for (unsigned k = 0; k < m; k++) r[k] = inreg(vld1q_f32(x + c + 4 * k), 2, &s);
        RF_UNROLL
        for (unsigned g = 0; g < m; g += span) xbfly(r + g, lgspan);
        RF_UNROLL
        for (unsigned k = 0; k < m; k++) vst1q_f32(x + c + 4 * k, r[k]);
    }
}

/* Stages h, 2h, .., (m/2)h over n floats (h a multiple of 4): m = 2^lgm registers h apart at
 * a time. */
AI void radix_pass(float *x, size_t n, size_t h, unsigned lgm)
{
    const unsigned m = 1u << lgm;
    for (size_t b = 0; b < n; b += m * h)
        for (size_t j = b; j < b + h; j += 4) {
            float32x4_t r[16];
            RF_UNROLL
            for (unsigned k = 0; k < m; k++) r[k] = vld1q_f32(x + j + k * h);
            xbfly(r, lgm);
            RF_UNROLL
            for (unsigned k = 0; k < m; k++) vst1q_f32(x + j + k * h, r[k]);
        }
}

/* Stages h .. 2^(stages-1) h in passes of at most `most` (<= 4) stages each. */
static void radix_stages(float *x, size_t n, size_t h, unsigned stages, unsigned most)
{
    while (stages > 0) {
        const unsigned r = stages < most ? stages : most;
        switch (r) {
        case 4: radix_pass(x, n, h, 4); break;
        case 3: radix_pass(x, n, h, 3); break;
        case 2: radix_pass(x, n, h, 2); break;
        default: radix_pass(x, n, h, 1); break;
        }
        h <<= r;
        stages -= r;
    }
}

/* log2n >= 2: the first min(log2n, 6) stages in one pass, the rest in radix passes. */
static void fht_l1(float *x, unsigned log2n)
{
    const size_t n = (size_t)1 << log2n;
    switch (log2n) {
    case 2: base_pass(x, n, 0, 0); return;
    case 3: base_pass(x, n, 1, 1); return;
    case 4: base_pass(x, n, 2, 2); return;
    case 5: base_pass(x, n, 3, 3); return;
    default: base_pass(x, n, 4, 4); break;
    }
    radix_stages(x, n, 64, log2n - 6, 4);
}

static void fht_large(float *x, unsigned log2n)
{
    if (log2n <= FHT_L1_LOG2) {
        fht_l1(x, log2n);
        return;
    }
    /* Split into 2^top sub-blocks (top <= 3), finish each, then the stages between them in one
     * pass: lines 2^s floats apart (s >= 12) share one L1 set, so a pass loads at most 8 of them
     * (typical L1 associativity) lest they be evicted between load and store. 4 remaining
     * stages go as 2 + 2. */
    const unsigned t = log2n - FHT_L1_LOG2;
    const unsigned top = t == 4 ? 2 : t < 3 ? t : 3;
    const unsigned sub = log2n - top;
    const size_t ns = (size_t)1 << sub;
    for (size_t b = 0; b < ((size_t)1 << top); b++) fht_large(x + b * ns, sub);
    radix_stages(x, (size_t)1 << log2n, ns, top, 3);
}

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
        const signs s = make_signs();
        for (; v + 2 <= count; v += 2) vst1q_f32(x + 2 * v, inreg(vld1q_f32(x + 2 * v), 1, &s));
    } else if (log2n <= 5) {
        /* Chunks of 64 floats hold 64/n whole vectors: one pass does them all. */
        const size_t per = 64 >> log2n, whole = count / per * per;
        switch (log2n) {
        case 2: base_pass(x, whole * n, 4, 0); break;
        case 3: base_pass(x, whole * n, 4, 1); break;
        case 4: base_pass(x, whole * n, 4, 2); break;
        default: base_pass(x, whole * n, 4, 3); break;
        }
        v = whole;
    }
    for (; v < count; v++) fht_f32_neon(x + v * n, log2n);
}
