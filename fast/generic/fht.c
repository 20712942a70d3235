/* Walsh–Hadamard transform of a vector level (mirrors ref/fht.c: fht_f32_ref and
 * fht_f32_batch_ref): the pass structure, over the level's registers (fast/<isa>/simd.h, FHT_LANES =
 * VF_LANES floats) and its in-register stages (fast/<isa>/fht_inreg.h):
 *   fht_signs fht_make_signs(void), vf inreg(v, lg, &signs)
 *                              the first lg (<= FHT_LANE_BITS) stages inside one register
 *   FHT_REG_BITS               log2 of the registers one pass holds (3 or 4)
 *   unsigned pass_stages(s)    how many of s (>= 1) remaining stages the next radix pass does,
 *                              at most FHT_REG_BITS
 *   fht_short(x, log2n)        one vector of 1 < log2n < FHT_LANE_BITS
 *   fht_batch_short(x, log2n, count)
 *                              vectors of log2n < FHT_LANE_BITS, several per register; returns how
 *                              many it did (the rest go one by one)
 *
 * The plan:
 * - The first memory pass loads chunks of 2^FHT_REG_BITS registers, does the in-register stages,
 *   then the butterflies between the registers: FHT_LANE_BITS + FHT_REG_BITS stages at once.
 * - The remaining stages run as radix passes that load up to 2^FHT_REG_BITS registers 2^s floats
 *   apart and do up to FHT_REG_BITS stages before storing.
 * - Vectors longer than an L1-sized block are transformed block by block first, and the stages
 *   between blocks follow as radix passes of at most 3 stages (recursively, so a 2^20 vector
 *   completes its 2^17-float sub-blocks while they sit in L2).
 * - A batch of vectors shorter than a chunk packs chunk / n whole vectors per chunk, and the first
 *   pass, its butterflies limited to distances below n, does them all.
 * Every output still sees the stages in ref's order (h ascending), with the same operands, so the
 * rounding is that of ref whatever the grouping of stages into passes; the grouping only decides
 * the speed.
 */
#include <stddef.h>

#include "fht_inreg.h"
#include "refast/fht.h"
#include "simd.h"

#define FHT_LANE_BITS VF_LANE_BITS
#define FHT_LANES (1u << FHT_LANE_BITS)
#define FHT_REGS (1u << FHT_REG_BITS)

/* log2 of the block that is transformed completely before the stages between blocks: 16 KiB,
 * half the L1 data cache, so a block and the lines of the next one fit together. */
#define FHT_L1_LOG2 12

/* Stages between registers: r[j] and r[j + h] for h = 1 .. m/2, m = 2^lgm <= FHT_REGS. Every loop
 * counts linearly to a constant so that GCC can unroll it completely (a loop over h <<= 1 it
 * leaves rolled, and the registers end up on the stack). */
AI void xbfly(vf *r, unsigned lgm)
{
    RF_UNROLL
    for (unsigned s = 0; s < lgm; s++)
        RF_UNROLL
        for (unsigned b = 0; b < (1u << lgm) / 2; b++) {
            const unsigned h = 1u << s, j = (b >> s << (s + 1)) | (b & (h - 1));
            const vf x0 = r[j], x1 = r[j + h];
            r[j] = vf_add(x0, x1);
            r[j + h] = vf_sub(x0, x1);
        }
}

/* First pass over `total` floats in chunks of m = 2^lgm registers: the in-register stages, then
 * the stages between the m registers of a chunk whose distance is below span = 2^lgspan registers
 * (so that a batch of short vectors packed in one chunk stays independent). */
AI void base_pass(float *x, size_t total, unsigned lgm, unsigned lgspan)
{
    const unsigned m = 1u << lgm, span = 1u << lgspan;
    const fht_signs s = fht_make_signs();
    for (size_t c = 0; c < total; c += FHT_LANES * (size_t)m) {
        vf r[FHT_REGS];
        RF_UNROLL
        for (unsigned k = 0; k < m; k++) r[k] = vf_loadu(x + c + FHT_LANES * k);
        RF_UNROLL
        for (unsigned k = 0; k < m; k++) r[k] = inreg(r[k], FHT_LANE_BITS, &s);
        RF_UNROLL
        for (unsigned g = 0; g < m; g += span) xbfly(r + g, lgspan);
        RF_UNROLL
        for (unsigned k = 0; k < m; k++) vf_storeu(x + c + FHT_LANES * k, r[k]);
    }
}

/* Stages h, 2h, .., (m/2)h over n floats (h a multiple of FHT_LANES): m = 2^lgm registers h apart
 * at a time. */
AI void radix_pass(float *x, size_t n, size_t h, unsigned lgm)
{
    const unsigned m = 1u << lgm;
    for (size_t b = 0; b < n; b += m * h)
        for (size_t j = b; j < b + h; j += FHT_LANES) {
            vf r[FHT_REGS];
            RF_UNROLL
            for (unsigned k = 0; k < m; k++) r[k] = vf_loadu(x + j + k * h);
            xbfly(r, lgm);
            RF_UNROLL
            for (unsigned k = 0; k < m; k++) vf_storeu(x + j + k * h, r[k]);
        }
}

/* Stages h .. 2^(stages-1) h, pass_stages(remaining) of them per pass. */
static void radix_stages(float *x, size_t n, size_t h, unsigned stages)
{
    while (stages > 0) {
        const unsigned r = pass_stages(stages);
        switch (r) {
#if FHT_REG_BITS > 3
        case 4: radix_pass(x, n, h, 4); break;
#endif
        case 3: radix_pass(x, n, h, 3); break;
        case 2: radix_pass(x, n, h, 2); break;
        default: radix_pass(x, n, h, 1); break;
        }
        h <<= r;
        stages -= r;
    }
}

/* log2n >= FHT_LANE_BITS: the first min(log2n, FHT_LANE_BITS + FHT_REG_BITS) stages in one pass,
 * the rest in radix passes. The cases keep base_pass's arguments constants. */
static void fht_l1(float *x, unsigned log2n)
{
    const size_t n = (size_t)1 << log2n;
    switch (log2n) {
    case FHT_LANE_BITS: base_pass(x, n, 0, 0); return;
    case FHT_LANE_BITS + 1: base_pass(x, n, 1, 1); return;
    case FHT_LANE_BITS + 2: base_pass(x, n, 2, 2); return;
#if FHT_REG_BITS > 3
    case FHT_LANE_BITS + 3: base_pass(x, n, 3, 3); return;
#endif
    default: base_pass(x, n, FHT_REG_BITS, FHT_REG_BITS); break;
    }
    radix_stages(x, n, (size_t)FHT_LANES * FHT_REGS, log2n - FHT_LANE_BITS - FHT_REG_BITS);
}

/* log2n >= FHT_LANE_BITS, any length. */
static void fht_large(float *x, unsigned log2n)
{
    if (log2n <= FHT_L1_LOG2) {
        fht_l1(x, log2n);
        return;
    }
    /* Split into 2^top sub-blocks, finish each, then the stages between them in one pass. top is
     * at most 3: lines 2^s floats apart (s >= 12) share one L1 set, which has 8 ways (typical), so
     * a pass loads at most 8 of them lest they be evicted between load and store. 4 remaining
     * stages go as 2 + 2. */
    const unsigned t = log2n - FHT_L1_LOG2;
    const unsigned top = t == 4 ? 2 : t < 3 ? t : 3;
    const unsigned sub = log2n - top;
    const size_t ns = (size_t)1 << sub;
    for (size_t b = 0; b < ((size_t)1 << top); b++) fht_large(x + b * ns, sub);
    radix_stages(x, (size_t)1 << log2n, ns, top);
}

/* A batch of vectors with FHT_LANE_BITS <= log2n < FHT_LANE_BITS + FHT_REG_BITS: a chunk of
 * FHT_REGS registers holds whole vectors, so one pass does all of them but the last count mod
 * (vectors per chunk). Returns how many it did. */
AI size_t batch_packed(float *x, unsigned log2n, size_t count)
{
    const size_t n = (size_t)1 << log2n;
    const size_t per = ((size_t)FHT_LANES * FHT_REGS) >> log2n, whole = count / per * per;
    switch (log2n) {
    case FHT_LANE_BITS: base_pass(x, whole * n, FHT_REG_BITS, 0); break;
    case FHT_LANE_BITS + 1: base_pass(x, whole * n, FHT_REG_BITS, 1); break;
#if FHT_REG_BITS > 3
    case FHT_LANE_BITS + 2: base_pass(x, whole * n, FHT_REG_BITS, 2); break;
    default: base_pass(x, whole * n, FHT_REG_BITS, 3); break;
#else
    default: base_pass(x, whole * n, FHT_REG_BITS, 2); break;
#endif
    }
    return whole;
}

void RF_LEVEL_FN(fht_f32)(float *x, unsigned log2n)
{
    if (log2n == 0) return;
    if (log2n == 1) {
        const float a = x[0], b = x[1];
        x[0] = a + b;
        x[1] = a - b;
    } else if (log2n < FHT_LANE_BITS) {
        fht_short(x, log2n);
    } else {
        fht_large(x, log2n);
    }
}

/* The cases keep fht_batch_short's log2n a constant. */
AI size_t batch_short_any(float *x, unsigned log2n, size_t count)
{
    switch (log2n) {
#if FHT_LANE_BITS > 3
    case 3: return fht_batch_short(x, 3, count);
#endif
#if FHT_LANE_BITS > 2
    case 2: return fht_batch_short(x, 2, count);
#endif
    default: return fht_batch_short(x, 1, count);
    }
}

void RF_LEVEL_FN(fht_f32_batch)(float *x, unsigned log2n, size_t count)
{
    if (log2n == 0 || count == 0) return;
    const size_t n = (size_t)1 << log2n;
    size_t v = log2n < FHT_LANE_BITS                  ? batch_short_any(x, log2n, count)
               : log2n < FHT_LANE_BITS + FHT_REG_BITS ? batch_packed(x, log2n, count)
                                                      : 0;
    for (; v < count; v++) RF_LEVEL_FN(fht_f32)(x + v * n, log2n);
}
