/* Walsh–Hadamard transform, AVX-512 (16 floats per register). Mirrors ref/fht.c: fht_f32_ref and
 * fht_f32_batch_ref.
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
 *   passes that load 16 registers 2^s floats apart and do 4 stages before storing.
 * - Vectors longer than an L1-sized block (2^12 floats) are transformed block by block first, and
 *   the stages between blocks follow as radix passes of at most 3 stages (recursively, so a
 *   2^20 vector completes its 2^17-float sub-blocks while they sit in L2).
 * Every output still sees the stages in ref's order (h ascending), with the same operands, so the
 * rounding is that of ref. Unaligned loads and stores throughout; a single vector shorter than a
 * register uses narrower registers, the tail of a batch of short vectors masked loads and stores,
 * neither ever touches memory outside the vectors.
 */
#include <immintrin.h>

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

/* log2 of the block that is transformed completely before the stages between blocks: 16 KiB,
 * half the L1 data cache, so a block and the lines of the next one fit together. */
#define FHT_L1_LOG2 12

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

typedef struct signs {
    __m512 h1, h2, h4, h8;
} signs;

AI signs make_signs(void)
{
    const float m = -1.0f, p = 1.0f;
    signs s;
    s.h1 = _mm512_set_ps(m, p, m, p, m, p, m, p, m, p, m, p, m, p, m, p);
    s.h2 = _mm512_set_ps(m, m, p, p, m, m, p, p, m, m, p, p, m, m, p, p);
    s.h4 = _mm512_set_ps(m, m, m, m, p, p, p, p, m, m, m, m, p, p, p, p);
    s.h8 = _mm512_set_ps(m, m, m, m, m, m, m, m, p, p, p, p, p, p, p, p);
    return s;
}

/* The first `lg` (<= 4) stages inside one register. */
AI __m512 inreg(__m512 v, unsigned lg, const signs *s)
{
    if (lg > 0) v = stage_h1(v, s->h1);
    if (lg > 1) v = stage_h2(v, s->h2);
    if (lg > 2) v = stage_h4(v, s->h4);
    if (lg > 3) v = stage_h8(v, s->h8);
    return v;
}

/* Stages between registers: r[j] and r[j + h] for h = 1 .. m/2, m = 2^lgm <= 16. Every loop
 * counts linearly to a constant so that GCC can unroll it completely (a loop over h <<= 1 it
 * leaves rolled, and the registers end up on the stack). */
AI void xbfly(__m512 *r, unsigned lgm)
{
    RF_UNROLL
    for (unsigned s = 0; s < lgm; s++)
        RF_UNROLL
        for (unsigned b = 0; b < (1u << lgm) / 2; b++) {
            const unsigned h = 1u << s, j = (b >> s << (s + 1)) | (b & (h - 1));
            const __m512 x0 = r[j], x1 = r[j + h];
            r[j] = _mm512_add_ps(x0, x1);
            r[j + h] = _mm512_sub_ps(x0, x1);
        }
}

/* First pass over `total` floats in chunks of m = 2^lgm registers: the 4 in-register stages,
 * then the stages between the m registers of a chunk whose distance is below span = 2^lgspan
 * registers (so that a batch of short vectors packed in one chunk stays independent). */
AI void base_pass(float *x, size_t total, unsigned lgm, unsigned lgspan)
{
    const unsigned m = 1u << lgm, span = 1u << lgspan;
    const signs s = make_signs();
    for (size_t c = 0; c < total; c += 16 * (size_t)m) {
        __m512 r[16];
        RF_UNROLL
        for (unsigned k = 0; k < m; k++) r[k] = _mm512_loadu_ps(x + c + 16 * k);
        RF_UNROLL
        for (unsigned k = 0; k < m; k++) r[k] = inreg(r[k], 4, &s);
        RF_UNROLL
        for (unsigned g = 0; g < m; g += span) xbfly(r + g, lgspan);
        RF_UNROLL
        for (unsigned k = 0; k < m; k++) _mm512_storeu_ps(x + c + 16 * k, r[k]);
    }
}

/* Stages h, 2h, .., (m/2)h over n floats (h a multiple of 16): m = 2^lgm registers h apart at
 * a time. */
AI void radix_pass(float *x, size_t n, size_t h, unsigned lgm)
{
    const unsigned m = 1u << lgm;
    for (size_t b = 0; b < n; b += m * h)
        for (size_t j = b; j < b + h; j += 16) {
            __m512 r[16];
            RF_UNROLL
            for (unsigned k = 0; k < m; k++) r[k] = _mm512_loadu_ps(x + j + k * h);
            xbfly(r, lgm);
            RF_UNROLL
            for (unsigned k = 0; k < m; k++) _mm512_storeu_ps(x + j + k * h, r[k]);
        }
}

/* Stages h .. 2^(stages-1) h with as few passes as possible (radix 16 first). */
static void radix_stages(float *x, size_t n, size_t h, unsigned stages)
{
    while (stages > 0) {
        const unsigned r = stages >= 4 ? 4 : stages;
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

/* log2n >= 4: the first min(log2n, 8) stages in one pass, the rest in radix passes. */
static void fht_l1(float *x, unsigned log2n)
{
    const size_t n = (size_t)1 << log2n;
    switch (log2n) {
    case 4: base_pass(x, n, 0, 0); return;
    case 5: base_pass(x, n, 1, 1); return;
    case 6: base_pass(x, n, 2, 2); return;
    case 7: base_pass(x, n, 3, 3); return;
    default: base_pass(x, n, 4, 4); break;
    }
    radix_stages(x, n, 256, log2n - 8);
}

static void fht_large(float *x, unsigned log2n)
{
    if (log2n <= FHT_L1_LOG2) {
        fht_l1(x, log2n);
        return;
    }
    /* Split into 2^top sub-blocks, finish each, then the stages between them in one pass. top is
     * at most 3: 16 registers 2^s floats apart (s >= 12) are 16 lines in one L1 set, which has 8
     * ways, so they would be evicted between load and store. 4 remaining stages go as 2 + 2. */
    const unsigned t = log2n - FHT_L1_LOG2;
    const unsigned top = t == 4 ? 2 : t < 3 ? t : 3;
    const unsigned sub = log2n - top;
    const size_t ns = (size_t)1 << sub;
    for (size_t b = 0; b < ((size_t)1 << top); b++) fht_large(x + b * ns, sub);
    radix_stages(x, (size_t)1 << log2n, ns, top);
}

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
    const signs s = make_signs();
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
    size_t v = 0;
    if (log2n <= 7) {
        /* Chunks of 256 floats hold 256/n whole vectors: one pass does them all. */
        const size_t per = 256 >> log2n, whole = count / per * per;
        switch (log2n) {
        case 4: base_pass(x, whole * n, 4, 0); break;
        case 5: base_pass(x, whole * n, 4, 1); break;
        case 6: base_pass(x, whole * n, 4, 2); break;
        default: base_pass(x, whole * n, 4, 3); break;
        }
        v = whole;
    }
    for (; v < count; v++) fht_f32_avx512(x + v * n, log2n);
}
