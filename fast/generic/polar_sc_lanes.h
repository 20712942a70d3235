/* Frames in lanes for the polar SC decoder (part of fast/generic/polar_sc.c, included by it after
 * its node schedule and cache; mirrors ref/polar_sc.c: polar_sc_ref). Short codes leave a
 * one-frame decoder's registers mostly empty (a node of n < W LLRs runs in narrower registers, a
 * leaf is scalar), so W = VF_LANES frames are decoded at once in the lane layout of
 * lanes_layout.h (as dumer.c does): coordinate i of the W frames is one register, a node of n
 * LLRs is n registers, and its halves are contiguous blocks of h W floats. f and g are therefore
 * polar_stages.h's stage_f / stage_g applied to h W floats (the pairing L[e], L[e + h W] is
 * coordinate i with i + h in every lane), with the decisions x in the same layout as bytes; every
 * lane does exactly ref's float operations in ref's order (the exact f: ref's libm expf/log1pf per
 * element), so decisions are bit-identical to ref. Message bits are kept in the lane layout (W
 * bytes per bit) and scattered to the frames at the end.
 *
 * The shortcut nodes of polar_sc.c, lane-wise:
 * - rate-0 and left-rate-0 (x_a = 0, f skipped): no LLR is read, trivially per lane.
 * - repetition: the same g additions with x_a = 0 in the same order, on whole registers, then
 *   [sum < 0] per lane.
 * - rate-1 / SPC under minsum: the per-frame proofs (polar_sc.c, rate1() and spc()) hold lane by
 *   lane under their preconditions (no LLR 0 or NaN; for SPC on odd parity, a unique least |L|).
 *   The preconditions are checked per lane, and when any lane fails the whole node takes the plain
 *   recursion (always exact); on channel LLRs that is rare, on the tests' special values common.
 *   The transform u = x F^{(x)n} runs on lane masks (one word per coordinate, bit l = lane l).
 * Work memory (one block, kept in the thread's cache): the transposed LLRs and the scratch (n W
 * floats each), x (n W bytes), the message (k W bytes); the length threshold's measurement is at
 * POLAR_SC_LANE_MAX_M.
 */
#ifndef REFAST_FAST_POLAR_SC_LANES_H
#define REFAST_FAST_POLAR_SC_LANES_H

#include "lanes_layout.h"

/* Frames go into lanes for n <= 2^POLAR_SC_LANE_MAX_M. Measured on this branch's AMD EPYC (info
 * Mb/s, lanes over one frame at a time, avx512 / avx2, Bhattacharyya codes): rate 1/2 codes gain
 * 4.2 / 3.1x at N = 256, 2.7 / 2.5x at 1024, 2.0 / 1.5x at 4096, 1.4 / 1.4x at 16384; rate 0.84
 * codes 1.9x at 1024, 1.4x at 4096, 1.25 / 1.12x at 8192, 1.04 / 1.10x at 16384 and 0.92x at
 * 32768 (one frame at a time: its long rate-1 nodes run on whole registers). The work memory,
 * 9 n W + k W bytes, is 18 KiB + 2 KiB at N = 128, W = 16 (in L1) but 1.2 MiB at N = 8192: most of
 * the gains above are measured well outside L1, where the lanes still stream whole rows. So lanes
 * up to N = 8192, where they win at every rate measured; not beyond, where the gain at rate 0.84 is
 * within the noise (then a loss) and the memory per thread grows to MiBs. */
#define POLAR_SC_LANE_MAX_M 13

/* Register i of a lane-layout array of floats or bytes. */
#define LV(p, i) ((p) + (size_t)(i) * W)

typedef struct lanes_dec {
    const uint8_t *type; /* polar_sc.c's schedule, heap order */
    unsigned m;
    int f;
    uint8_t *msg; /* the next message bit, W bytes (lane layout) */
} lanes_dec;

/* x[0..W) = the lane mask m as bytes 0/1. */
AI void lanes_put(uint8_t *x, mf m) { rf_bits_to_bytes(mf_bits(m), W, x); }

/* x = [L_i < 0] for the n registers of L, as bytes (x) and as lane masks (mk[i] bit l: lane l);
 * 0 if an LLR of some lane is 0 or NaN (x and mk written anyway: the caller's fallback recursion
 * overwrites them). */
static int lanes_hard(const float *L, size_t n, uint8_t *x, uint32_t *mk)
{
    mf bad = mf_zeros();
    for (size_t i = 0; i < n; i++) {
        const vf v = vf_loadu(LV(L, i));
        bad = mf_or(bad, vf_equ(v, vf_zero()));
        mk[i] = mf_bits(vf_lt(v, vf_zero()));
        rf_bits_to_bytes(mk[i], W, LV(x, i));
    }
    return !mf_any(bad);
}

/* u = x F^{(x)n} lane by lane on the lane masks (mk, overwritten: n/2 log2 n word XORs), u[skip..n)
 * appended to the message as bytes (skip = 1: an SPC node's frozen first bit, 0 by construction). */
static void lanes_emit(lanes_dec *s, uint32_t *mk, size_t n, size_t skip)
{
    for (size_t h = 1; h < n; h <<= 1)
        for (size_t b = 0; b < n; b += 2 * h)
            for (size_t i = b; i < b + h; i++) mk[i] ^= mk[i + h];
    for (size_t i = skip; i < n; i++) rf_bits_to_bytes(mk[i], W, LV(s->msg, i - skip));
    s->msg += (n - skip) * W;
}

/* Rate-1 node under minsum in every lane; 0 (no message written) if a lane fails rate1()'s
 * precondition. mk: n words of work. */
static int lanes_rate1(lanes_dec *s, const float *L, size_t n, uint8_t *x, uint32_t *mk)
{
    if (!lanes_hard(L, n, x, mk)) return 0;
    lanes_emit(s, mk, n, 0);
    return 1;
}

/* SPC node under minsum in every lane (spc() of polar_sc.c per lane): hard decisions, and in the
 * lanes of odd parity the least |L| flipped. The least |L| is tracked as spc()'s
 * unique_argmin_abs does (a strictly smaller value restarts, an equal one is a tie); 0 (no message
 * written) if some lane has an LLR 0 or NaN, or odd parity with a tied least |L|. mk: n words of
 * work. */
static int lanes_spc(lanes_dec *s, const float *L, size_t n, uint8_t *x, uint32_t *mk)
{
    mf bad = mf_zeros(), par = mf_zeros(), tie = mf_zeros();
    vf best = vf_set1(INFINITY), arg = vf_zero();
    for (size_t i = 0; i < n; i++) {
        const vf v = vf_loadu(LV(L, i));
        const mf neg = vf_lt(v, vf_zero());
        bad = mf_or(bad, vf_equ(v, vf_zero()));
        par = mf_xor(par, neg);
        mk[i] = mf_bits(neg);
        rf_bits_to_bytes(mk[i], W, LV(x, i));
        const vf a = vf_abs(v);
        const mf lt = vf_lt(a, best), eq = vf_eq(a, best);
        best = vf_select(lt, a, best);
        arg = vf_select(lt, vf_set1((float)i), arg);
        tie = mf_or(mf_xor(tie, mf_and(tie, lt)), i ? eq : mf_zeros()); /* lt, eq exclude each other */
    }
    if (mf_any(bad) || mf_any(mf_and(par, tie))) return 0;
    const uint32_t odd = mf_bits(par);
    if (odd) {
        float at[W];
        vf_storeu(at, arg);
        for (size_t l = 0; l < W; l++)
            if ((odd >> l) & 1) {
                LV(x, (size_t)at[l])[l] ^= 1;
                mk[(size_t)at[l]] ^= 1u << l;
            }
    }
    lanes_emit(s, mk, n, 1);
    return 1;
}

/* Repetition node: rep() of polar_sc.c on whole registers (t_i = t_{i+h} + t_i, h = n/2 .. 1),
 * then [t_0 < 0] per lane repeated n times. tmp: n/2 registers. */
static void lanes_rep(lanes_dec *s, const float *L, size_t n, float *tmp, uint8_t *x)
{
    const float *t = L;
    for (size_t h = n / 2; h >= 1; h /= 2) {
        rep_add(t, h * W, tmp);
        t = tmp;
    }
    lanes_put(s->msg, vf_lt(vf_loadu(t), vf_zero()));
    for (size_t i = 0; i < n; i++) memcpy(LV(x, i), s->msg, W);
    s->msg += W;
}

/* node() of polar_sc.c on W frames: L n registers, scratch n registers, x n rows of W bytes. */
static void lanes_node(lanes_dec *s, unsigned d, size_t j, const float *L, float *scratch, uint8_t *x)
{
    const size_t n = (size_t)1 << (s->m - d);
    const uint8_t t = s->type[((size_t)1 << d) + j];
    if (t == NODE_RATE0) {
        memset(x, 0, n * W);
        return;
    }
    if (n == 1) { /* information leaf */
        lanes_put(x, vf_lt(vf_loadu(L), vf_zero()));
        memcpy(s->msg, x, W);
        s->msg += W;
        return;
    }
    if (t == NODE_REP) {
        lanes_rep(s, L, n, scratch, x);
        return;
    }
    /* rate-1 and SPC use the scratch (free until a fallback recursion) for their masks */
    if (t == NODE_RATE1 && s->f == RF_F_MINSUM && lanes_rate1(s, L, n, x, (uint32_t *)scratch)) return;
    if (t == NODE_SPC && s->f == RF_F_MINSUM && lanes_spc(s, L, n, x, (uint32_t *)scratch)) return;
    const size_t h = n / 2, hw = h * W;
    if (s->type[((size_t)2 << d) + 2 * j] == NODE_RATE0) {
        memset(x, 0, hw);
        stage_g(L, x, hw, scratch);
        lanes_node(s, d + 1, 2 * j + 1, scratch, scratch + hw, x + hw);
        memcpy(x, x + hw, hw);
        return;
    }
    stage_f(s->f, L, hw, scratch);
    lanes_node(s, d + 1, 2 * j, scratch, scratch + hw, x);
    stage_g(L, x, hw, scratch);
    lanes_node(s, d + 1, 2 * j + 1, scratch, scratch + hw, x + hw);
    rf_xor_bytes(x, x, x + hw, hw);
}

/* Bytes of lanes_run's work memory. */
static size_t lanes_block_size(unsigned m, size_t k)
{
    const size_t n = (size_t)1 << m;
    return 2 * n * W * sizeof(float) + n * W + k * W;
}

/* Decodes frames [0, W groups) of llr into msg (k bits per frame) with the schedule `type`;
 * block: the work memory, lanes_block_size(m, k) bytes. */
static void lanes_run(unsigned m, size_t k, const uint8_t *type, int f, const float *llr, size_t groups,
                      uint8_t *msg, void *block)
{
    const size_t n = (size_t)1 << m;
    float *in = block, *scratch = in + n * W;
    uint8_t *x = (uint8_t *)(scratch + n * W), *mlanes = x + n * W;
    for (size_t g = 0; g < groups; g++) {
        lanes_gather(llr + g * W * n, n, in);
        lanes_dec s = {type, m, f, mlanes};
        lanes_node(&s, 0, 0, in, scratch, x);
        lanes_scatter_bytes(mlanes, k, msg + g * W * k);
    }
}

#undef LV

#endif
