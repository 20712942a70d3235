/* Walsh–Hadamard transform, AVX2 (8 floats per register). Mirrors ref/fht.c: fht_f32_ref and
 * fht_f32_batch_ref.
 *
 * Tricks (as in fast/avx512/fht.c, with 8 lanes and 16 registers):
 * - Stages h = 1, 2, 4 stay inside one register: with t the register with partners h apart
 *   swapped (vpermilps / vperm2f128), lanes whose bit h is clear want x + t and lanes whose bit h
 *   is set want t - x = (-x) + t. One FMA with a +-1 vector, s*x + t, computes exactly that: the
 *   product s*x is exact, so the single rounding is the one of the addition (bit-identical to
 *   ref's a + b and a - b, NaN and infinities included), and the FMA units, which the butterflies
 *   between registers leave idle, take this work off the adders.
 * - Stages h = 8, 16, 32 are butterflies between the 8 registers of a 64-float chunk, so the first
 *   memory pass does 6 stages; the remaining ones run as radix-8 (or smaller) passes that load 8
 *   registers 2^s floats apart and do 3 stages before storing.
 * - Vectors longer than an L1-sized block (2^12 floats) are transformed block by block first, and
 *   the stages between blocks follow as radix passes of at most 3 stages (recursively, so a
 *   2^20 vector completes its 2^17-float sub-blocks while they sit in L2).
 * Every output still sees the stages in ref's order (h ascending), with the same operands, so the
 * rounding is that of ref. Unaligned loads and stores throughout; the tail of a batch of short
 * vectors uses vmaskmovps, which never touches memory outside the vectors.
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

typedef struct signs {
    __m256 h1, h2, h4;
} signs;

AI signs make_signs(void)
{
    const float m = -1.0f, p = 1.0f;
    signs s;
    s.h1 = _mm256_set_ps(m, p, m, p, m, p, m, p);
    s.h2 = _mm256_set_ps(m, m, p, p, m, m, p, p);
    s.h4 = _mm256_set_ps(m, m, m, m, p, p, p, p);
    return s;
}

/* The first `lg` (<= 3) stages inside one register. */
AI __m256 inreg(__m256 v, unsigned lg, const signs *s)
{
    if (lg > 0) v = stage_h1(v, s->h1);
    if (lg > 1) v = stage_h2(v, s->h2);
    if (lg > 2) v = stage_h4(v, s->h4);
    return v;
}

/* Stages between registers: r[j] and r[j + h] for h = 1 .. m/2, m = 2^lgm <= 8. Every loop
 * counts linearly to a constant so that GCC can unroll it completely (a loop over h <<= 1 it
 * leaves rolled, and the registers end up on the stack). */
AI void xbfly(__m256 *r, unsigned lgm)
{
    RF_UNROLL
    for (unsigned s = 0; s < lgm; s++)
        RF_UNROLL
        for (unsigned b = 0; b < (1u << lgm) / 2; b++) {
            const unsigned h = 1u << s, j = (b >> s << (s + 1)) | (b & (h - 1));
            const __m256 x0 = r[j], x1 = r[j + h];
            r[j] = _mm256_add_ps(x0, x1);
            r[j + h] = _mm256_sub_ps(x0, x1);
        }
}

/* First pass over `total` floats in chunks of m = 2^lgm registers: the 3 in-register stages,
 * then the stages between the m registers of a chunk whose distance is below span = 2^lgspan
 * registers (so that a batch of short vectors packed in one chunk stays independent). */
AI void base_pass(float *x, size_t total, unsigned lgm, unsigned lgspan)
{
    const unsigned m = 1u << lgm, span = 1u << lgspan;
    const signs s = make_signs();
    for (size_t c = 0; c < total; c += 8 * (size_t)m) {
        __m256 r[8];
        RF_UNROLL
        for (unsigned k = 0; k < m; k++) r[k] = _mm256_loadu_ps(x + c + 8 * k);
        RF_UNROLL
        for (unsigned k = 0; k < m; k++) r[k] = inreg(r[k], 3, &s);
        RF_UNROLL
        for (unsigned g = 0; g < m; g += span) xbfly(r + g, lgspan);
        RF_UNROLL
        for (unsigned k = 0; k < m; k++) _mm256_storeu_ps(x + c + 8 * k, r[k]);
    }
}

/* Stages h, 2h, .., (m/2)h over n floats (h a multiple of 8): m = 2^lgm registers h apart at
 * a time. */
AI void radix_pass(float *x, size_t n, size_t h, unsigned lgm)
{
    const unsigned m = 1u << lgm;
    for (size_t b = 0; b < n; b += m * h)
        for (size_t j = b; j < b + h; j += 8) {
            __m256 r[8];
            RF_UNROLL
            for (unsigned k = 0; k < m; k++) r[k] = _mm256_loadu_ps(x + j + k * h);
            xbfly(r, lgm);
            RF_UNROLL
            for (unsigned k = 0; k < m; k++) _mm256_storeu_ps(x + j + k * h, r[k]);
        }
}

/* Stages h .. 2^(stages-1) h in passes of at most 3 stages, balanced (4 = 2 + 2). */
static void radix_stages(float *x, size_t n, size_t h, unsigned stages)
{
    while (stages > 0) {
        const unsigned r = stages == 4 ? 2 : stages >= 3 ? 3 : stages;
        switch (r) {
        case 3: radix_pass(x, n, h, 3); break;
        case 2: radix_pass(x, n, h, 2); break;
        default: radix_pass(x, n, h, 1); break;
        }
        h <<= r;
        stages -= r;
    }
}

/* log2n >= 3: the first min(log2n, 6) stages in one pass, the rest in radix passes. */
static void fht_l1(float *x, unsigned log2n)
{
    const size_t n = (size_t)1 << log2n;
    switch (log2n) {
    case 3: base_pass(x, n, 0, 0); return;
    case 4: base_pass(x, n, 1, 1); return;
    case 5: base_pass(x, n, 2, 2); return;
    default: base_pass(x, n, 3, 3); break;
    }
    radix_stages(x, n, 64, log2n - 6);
}

static void fht_large(float *x, unsigned log2n)
{
    if (log2n <= FHT_L1_LOG2) {
        fht_l1(x, log2n);
        return;
    }
    /* Split into 2^top sub-blocks (top <= 3), finish each, then the stages between them in one
     * pass: 8 lines 2^s floats apart (s >= 12) share one 8-way L1 set, more would be evicted
     * between load and store. 4 remaining stages go as 2 + 2. */
    const unsigned t = log2n - FHT_L1_LOG2;
    const unsigned top = t == 4 ? 2 : t < 3 ? t : 3;
    const unsigned sub = log2n - top;
    const size_t ns = (size_t)1 << sub;
    for (size_t b = 0; b < ((size_t)1 << top); b++) fht_large(x + b * ns, sub);
    radix_stages(x, (size_t)1 << log2n, ns, top);
}

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
    const signs s = make_signs();
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
    size_t v = 0;
    if (log2n <= 5) {
        /* Chunks of 64 floats hold 64/n whole vectors: one pass does them all. */
        const size_t per = 64 >> log2n, whole = count / per * per;
        switch (log2n) {
        case 3: base_pass(x, whole * n, 3, 0); break;
        case 4: base_pass(x, whole * n, 3, 1); break;
        default: base_pass(x, whole * n, 3, 2); break;
        }
        v = whole;
    }
    for (; v < count; v++) fht_f32_avx2(x + v * n, log2n);
}
