/* MAP and Soft-MAP of RM(m,1) at a vector level (mirrors ref/softmap.c: rm1_map_ref,
 * rm1_softmap_maxlog_ref, rm1_softmap_exact_ref), over the level's ops (fast/<isa>/simd.h,
 * RM1_LANES = VF_LANES floats) and its vf_exp_nonpos (fast/generic/vmath_f32.h, whose accuracy
 * statement this relies on: arguments below -87 give e^-87, an absolute error under 2e-38 on a sum
 * that is >= 1).
 *
 * Frames are copied in chunks of up to RM1_CHUNK_FLOATS floats and transformed by the level's
 * fht_f32_batch; the reductions over W then run on whole registers (codes shorter than one
 * register, m < RM1_LANE_BITS, go to the reference). Tricks:
 * - MAP: pass 1 takes the maximum of |W| with vf_max_num(|W|, best) (MAXPS returns best for a NaN
 *   |W|, FMAXNM the number: W holds only quiet NaNs, it comes out of additions), so NaNs never
 *   enter it; pass 2 returns the first lane equal to it. That is ref's "first strict > in index
 *   order, NaN never wins" (all-NaN: index 0).
 * - Per-bit half maxima in O(n): for the register-index bits, from the top, the two halves are
 *   reduced and then folded onto each other (max), so the next bit sees the maxima over all bits
 *   above it; the lane bits are masked reductions of the last register.
 * - Exact LLR: LSE over the codewords (b0, a), (1-b0, a) of +-W(a)/2 collapses to
 *   A/2 + log sum_a exp((|W(a)| - A)/2) (1 + exp(-|W(a)|)) with A the half maximum of |W|
 *   (from the maxlog pass), so each bit costs one vector exp per register and 1 + exp(-|W|) is
 *   computed once per frame. The few logs per frame are scalar logf.
 * - Sums of exponentials go RM1_SUM_BLOCK = 64 registers at a time into a second accumulator, so
 *   the rounding depth stays <= 64 + n / (64 RM1_LANES) + RM1_LANE_BITS (the `sum` bound allows
 *   ~8 log2 n + 8).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "refast/fht.h"
#include "refast/softmap.h"
#include "simd.h"
#include "vmath_f32.h"

#define RM1_LANE_BITS VF_LANE_BITS
#define RM1_LANES (1u << RM1_LANE_BITS)
#define RM1_CHUNK_FLOATS 4096
#define RM1_SUM_BLOCK 64

/* A sum of many registers: blocks of RM1_SUM_BLOCK terms, then the block sums. */
typedef struct vsum {
    vf inner, outer;
    unsigned count;
} vsum;

AI void vsum_init(vsum *s)
{
    s->inner = s->outer = vf_zero();
    s->count = 0;
}

AI void vsum_add(vsum *s, vf x)
{
    s->inner = vf_add(s->inner, x);
    if (++s->count == RM1_SUM_BLOCK) {
        s->outer = vf_add(s->outer, s->inner);
        s->inner = vf_zero();
        s->count = 0;
    }
}

AI vf vsum_total(const vsum *s)
{
    return vf_add(s->outer, s->inner);
}

/* ---- lane reductions -------------------------------------------------------------------------- */

/* The lowest lane with x == y, or -1. */
AI int first_equal(vf x, vf y)
{
    const unsigned eq = mf_bits(vf_eq(x, y));
    return eq ? __builtin_ctz(eq) : -1;
}

/* v >= 0, so zeroing the other lanes leaves each half maximum unchanged. */
AI void lane_maxes(vf v, unsigned j, float *a0, float *a1)
{
    const mf set = mf_lane_bit(j);
    *a0 = vf_hmax(vf_select(set, vf_zero(), v));
    *a1 = vf_hmax(vf_maskz(set, v));
}

AI vf lane_pick(unsigned j, vf x0, vf x1)
{
    return vf_select(mf_lane_bit(j), x1, x0);
}

AI void lane_sums(vf v, unsigned j, float *s0, float *s1)
{
    const mf set = mf_lane_bit(j);
    *s0 = vf_hsum(vf_select(set, vf_zero(), v));
    *s1 = vf_hsum(vf_maskz(set, v));
}

/* ---- frame driver ----------------------------------------------------------------------------- */

/* One frame's work on its transform w (n floats, n >= RM1_LANES) with scratch t (n floats). */
typedef void (*frame_op)(const float *w, unsigned m, float *t, void *out, size_t f);
/* Frame f's k outputs when there is no scratch. */
typedef void (*frame_fail)(void *out, size_t f, unsigned k);

/* RM1_LANE_BITS <= m <= RF_RM1_MAX_M, frames >= 1. */
/* The chunk copy in the level's own loads: glibc's large memcpy picks its path from the distance
 * between source and destination modulo 4 KiB (4K aliasing), which moves with the stack, so its
 * instruction count changed with the length of argv[0] (`refast bench --counter instructions`
 * must count the same in any directory). The empty asm hides each destination address from the
 * optimiser: without it GCC's loop-distribution recognises the copy and calls memcpy anyway (it
 * did, 16 calls per rm1_map call, and the counts still moved with argv[0]). n is a multiple of
 * VF_LANES here (m >= RM1_LANE_BITS). */
AI void copy_floats(float *dst, const float *src, size_t n)
{
    for (size_t i = 0; i < n; i += VF_LANES) {
        float *d = dst + i;
        __asm__("" : "+r"(d));
        vf_storeu(d, vf_loadu(src + i)); /* dst is malloc's above RM1_CHUNK_FLOATS: 16-byte aligned */
    }
}

AI void run_frames(const float *llr, unsigned m, size_t frames, void *out, frame_op op,
                   frame_fail fail)
{
    const size_t n = (size_t)1 << m;
    _Alignas(sizeof(vf)) float stack_w[RM1_CHUNK_FLOATS];
    _Alignas(sizeof(vf)) float stack_t[RM1_CHUNK_FLOATS];
    float *w = stack_w, *t = stack_t;
    size_t chunk = RM1_CHUNK_FLOATS / n;
    if (n > RM1_CHUNK_FLOATS) {
        w = malloc(n * sizeof *w);
        t = malloc(n * sizeof *t);
        chunk = 1;
    }
    for (size_t f0 = 0; f0 < frames; f0 += chunk) {
        const size_t cnt = frames - f0 < chunk ? frames - f0 : chunk;
        if (!w || !t) {
            for (size_t q = 0; q < cnt; q++) fail(out, f0 + q, m + 1);
            continue;
        }
        copy_floats(w, llr + f0 * n, cnt * n);
        RF_LEVEL_FN(fht_f32_batch)(w, m, cnt);
        for (size_t q = 0; q < cnt; q++) op(w + q * n, m, t, out, f0 + q);
    }
    if (w != stack_w) free(w);
    if (t != stack_t) free(t);
}

static void fail_bits(void *out, size_t f, unsigned k)
{
    memset((uint8_t *)out + f * k, 0xff, k);
}

static void fail_soft(void *out, size_t f, unsigned k)
{
    for (unsigned j = 0; j < k; j++) ((float *)out)[f * k + j] = NAN;
}

/* ---- MAP -------------------------------------------------------------------------------------- */

static void map_frame(const float *w, unsigned m, float *t, void *out, size_t f)
{
    (void)t;
    const size_t n = (size_t)1 << m;
    vf b0 = vf_set1(-1.0f), b1 = b0; /* below every |W|: all-NaN leaves -1 */
    size_t v = 0;
    for (; v + 2 * RM1_LANES <= n; v += 2 * RM1_LANES) {
        b0 = vf_max_num(vf_abs(vf_loadu(w + v)), b0);
        b1 = vf_max_num(vf_abs(vf_loadu(w + v + RM1_LANES)), b1);
    }
    if (v < n) b0 = vf_max_num(vf_abs(vf_loadu(w + v)), b0);
    const float best = vf_hmax(vf_max(b0, b1));
    size_t astar = 0;
    if (best >= 0.0f) {
        const vf bb = vf_set1(best);
        for (v = 0; v < n; v += RM1_LANES) {
            const int i = first_equal(vf_abs(vf_loadu(w + v)), bb);
            if (i >= 0) {
                astar = v + (size_t)i;
                break;
            }
        }
    }
    uint8_t *bits = (uint8_t *)out + f * (m + 1);
    bits[0] = w[astar] < 0.0f;
    for (unsigned j = 0; j < m; j++) bits[j + 1] = (astar >> j) & 1;
}

/* ---- shared Soft-MAP pass --------------------------------------------------------------------- */

/* max W, min W, and for every bit j the maxima a0[j], a1[j] of |W(a)| over bit_j(a) = 0 / 1.
 * Uses t as scratch. Returns 0 if some W is not finite. */
static int soft_pass(const float *w, unsigned m, float *t, float *wmax, float *wmin, float *a0,
                     float *a1)
{
    const size_t n = (size_t)1 << m, regs = n / RM1_LANES;
    vf mx = vf_loadu(w), mn = mx;
    mf ok = mf_ones(); /* the lanes whose |W| so far were all finite */
    for (size_t v = 0; v < regs; v++) {
        const vf x = vf_loadu(w + v * RM1_LANES), ax = vf_abs(x);
        ok = mf_and(ok, vf_lt(ax, vf_set1(INFINITY))); /* false for +-inf and NaN */
        mx = vf_max(mx, x);
        mn = vf_min(mn, x);
        vf_storeu(t + v * RM1_LANES, ax);
    }
    if (!mf_all(ok)) return 0;
    *wmax = vf_hmax(mx);
    *wmin = vf_hmin(mn);
    /* Register-index bits, top down: reduce both halves, then fold the upper half onto the lower. */
    for (size_t half = regs / 2, j = m - 1; half >= 1; half /= 2, j--) {
        vf lo = vf_loadu(t), hi = vf_loadu(t + half * RM1_LANES);
        for (size_t v = 0; v < half; v++) {
            const vf x = vf_loadu(t + v * RM1_LANES), y = vf_loadu(t + (v + half) * RM1_LANES);
            lo = vf_max(lo, x);
            hi = vf_max(hi, y);
            vf_storeu(t + v * RM1_LANES, vf_max(x, y));
        }
        a0[j] = vf_hmax(lo);
        a1[j] = vf_hmax(hi);
    }
    const vf last = vf_loadu(t);
    for (unsigned j = 0; j < RM1_LANE_BITS; j++) lane_maxes(last, j, &a0[j], &a1[j]);
    return 1;
}

static void maxlog_frame(const float *w, unsigned m, float *t, void *out, size_t f)
{
    float *o = (float *)out + f * (m + 1);
    float wmax, wmin, a0[RF_RM1_MAX_M], a1[RF_RM1_MAX_M];
    if (!soft_pass(w, m, t, &wmax, &wmin, a0, a1)) {
        fail_soft(out, f, m + 1);
        return;
    }
    o[0] = wmax - (-wmin);
    for (unsigned j = 0; j < m; j++) o[j + 1] = a0[j] - a1[j];
}

/* ---- exact ------------------------------------------------------------------------------------ */

static void exact_frame(const float *w, unsigned m, float *t, void *out, size_t f)
{
    const size_t n = (size_t)1 << m, regs = n / RM1_LANES;
    float *o = (float *)out + f * (m + 1);
    float wmax, wmin, a0[RF_RM1_MAX_M], a1[RF_RM1_MAX_M];
    if (!soft_pass(w, m, t, &wmax, &wmin, a0, a1)) {
        fail_soft(out, f, m + 1);
        return;
    }
    const vf half = vf_set1(0.5f), one = vf_set1(1.0f);

    /* b0: LSE_a W(a)/2 - LSE_a -W(a)/2, both relative to their maxima; t = 1 + exp(-|W|). */
    const vf vmax = vf_set1(wmax), vmin = vf_set1(wmin);
    vsum sp, sn;
    vsum_init(&sp);
    vsum_init(&sn);
    for (size_t v = 0; v < regs; v++) {
        const vf x = vf_loadu(w + v * RM1_LANES);
        vsum_add(&sp, vf_exp_nonpos(vf_mul(vf_sub(x, vmax), half)));
        vsum_add(&sn, vf_exp_nonpos(vf_mul(vf_sub(vmin, x), half)));
        vf_storeu(t + v * RM1_LANES, vf_add(one, vf_exp_nonpos(vf_sub(vf_zero(), vf_abs(x)))));
    }
    o[0] = (wmax + wmin) * 0.5f + (logf(vf_hsum(vsum_total(&sp))) - logf(vf_hsum(vsum_total(&sn))));

    /* b_{j+1}: sum over each half of exp((|W| - A_half)/2) (1 + exp(-|W|)). */
    for (unsigned j = 0; j < m; j++) {
        float s0, s1;
        if (j >= RM1_LANE_BITS) {
            const size_t blk = (size_t)1 << (j - RM1_LANE_BITS); /* registers per run of one half */
            const vf h0 = vf_set1(a0[j]), h1 = vf_set1(a1[j]);
            vsum acc0, acc1;
            vsum_init(&acc0);
            vsum_init(&acc1);
            for (size_t v0 = 0; v0 < regs; v0 += 2 * blk) {
                for (size_t v = v0; v < v0 + blk; v++) {
                    const vf x = vf_abs(vf_loadu(w + v * RM1_LANES));
                    const vf e = vf_exp_nonpos(vf_mul(vf_sub(x, h0), half));
                    vsum_add(&acc0, vf_mul(e, vf_loadu(t + v * RM1_LANES)));
                }
                for (size_t v = v0 + blk; v < v0 + 2 * blk; v++) {
                    const vf x = vf_abs(vf_loadu(w + v * RM1_LANES));
                    const vf e = vf_exp_nonpos(vf_mul(vf_sub(x, h1), half));
                    vsum_add(&acc1, vf_mul(e, vf_loadu(t + v * RM1_LANES)));
                }
            }
            s0 = vf_hsum(vsum_total(&acc0));
            s1 = vf_hsum(vsum_total(&acc1));
        } else {
            const vf hv = lane_pick(j, vf_set1(a0[j]), vf_set1(a1[j]));
            vsum acc;
            vsum_init(&acc);
            for (size_t v = 0; v < regs; v++) {
                const vf x = vf_abs(vf_loadu(w + v * RM1_LANES));
                const vf e = vf_exp_nonpos(vf_mul(vf_sub(x, hv), half));
                vsum_add(&acc, vf_mul(e, vf_loadu(t + v * RM1_LANES)));
            }
            lane_sums(vsum_total(&acc), j, &s0, &s1);
        }
        o[j + 1] = (a0[j] - a1[j]) * 0.5f + (logf(s0) - logf(s1));
    }
}

/* ---- entry points ----------------------------------------------------------------------------- */

enum rm1_kind { RM1_MAP, RM1_MAXLOG, RM1_EXACT };

/* The whole of rm1_map / rm1_softmap_maxlog / rm1_softmap_exact (out: bits or floats). */
AI void rm1_decode(enum rm1_kind kind, const float *llr, unsigned m, size_t frames, void *out)
{
    if (m < 1 || m > RF_RM1_MAX_M || frames == 0) return;
    if (m < RM1_LANE_BITS) { /* shorter than one register */
        switch (kind) {
        case RM1_MAP: rm1_map_ref(llr, m, frames, out); break;
        case RM1_MAXLOG: rm1_softmap_maxlog_ref(llr, m, frames, out); break;
        case RM1_EXACT: rm1_softmap_exact_ref(llr, m, frames, out); break;
        }
        return;
    }
    switch (kind) {
    case RM1_MAP: run_frames(llr, m, frames, out, map_frame, fail_bits); break;
    case RM1_MAXLOG: run_frames(llr, m, frames, out, maxlog_frame, fail_soft); break;
    case RM1_EXACT: run_frames(llr, m, frames, out, exact_frame, fail_soft); break;
    }
}

void RF_LEVEL_FN(rm1_map)(const float *llr, unsigned m, size_t frames, uint8_t *bits)
{
    rm1_decode(RM1_MAP, llr, m, frames, bits);
}

void RF_LEVEL_FN(rm1_softmap_maxlog)(const float *llr, unsigned m, size_t frames, float *out)
{
    rm1_decode(RM1_MAXLOG, llr, m, frames, out);
}

void RF_LEVEL_FN(rm1_softmap_exact)(const float *llr, unsigned m, size_t frames, float *out)
{
    rm1_decode(RM1_EXACT, llr, m, frames, out);
}
