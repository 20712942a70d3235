/* Polar SC decoder at a vector level (mirrors ref/polar_sc.c: polar_sc_ref): the node schedule
 * (frozen mask classified into a tree of node types, cached per thread), the shortcut nodes and
 * the recursion, over the level's ops (fast/<isa>/simd.h, W = VF_LANES floats per register) and
 * the f/g stages of fast/generic/polar_stages.h (shared with polar_scl.c). A node of n LLRs
 * computes its n/2 child LLRs (f, then g) a register at a time while n/2 >= W, in the level's
 * narrower registers below. The decision bits of the rate-1 / SPC shortcuts come from ordered
 * compares as lane bit masks (mf_bits: 64 per word) and are spread back into bytes by
 * rf_bits_to_bytes (PDEP on avx2, a masked byte store on avx512, bit tests on neon). f and g are
 * exactly the reference's operations, so minsum decisions are bit-identical to ref; the exact f
 * calls the same libm expf/log1pf per lane as ref. Short codes with W frames or more go W frames
 * at a time, one per lane (polar_sc_lanes.h), with the same node schedule and shortcuts.
 *
 * Shortcut nodes, each giving exactly SC's decisions (tests/test_polar.c checks them against ref
 * with ties, zeros, infinities, NaN):
 * - rate-0 (every leaf frozen): x = 0 without reading an LLR; frozen leaves ignore their LLRs.
 *   A node whose left half is rate-0 also skips f (x_a = 0, g adds).
 * - repetition (every leaf frozen but the last), both f: SC reaches the last leaf through g with
 *   x_a = 0 at every level; rep() performs those same additions in the same order (so the same
 *   rounded sum, not a re-associated one) and decides [sum < 0].
 * - rate-1 under minsum (every leaf information): x_i = [L_i < 0] and u = x F^{(x)n}
 *   (F^{(x)n} is its own inverse over GF(2)), provided no LLR of the node is 0 or NaN (checked;
 *   otherwise the ordinary recursion runs). Exact: with nonzero, non-NaN L1, L2, minsum's f is
 *   nonzero with sign [L1 < 0] XOR [L2 < 0], so the first half decodes (by induction) to
 *   x_a = h(L1) XOR h(L2); then g adds L1 and L2 when their signs agree and subtracts them when
 *   they differ, giving a nonzero, non-NaN L_b of the sign of L2 (rounding never changes the sign
 *   of a sum, and infinities only meet infinities of the same sign), so x_b = h(L2) and
 *   x_a XOR x_b = h(L1).
 * - SPC under minsum (only the first leaf frozen, n >= 4): Wagner's rule (hard decisions, the
 *   least reliable flipped on odd parity), only when no LLR is 0 or NaN and, on odd parity, the
 *   least |L| is unique; otherwise the ordinary recursion (proof at spc()). Ties of the least
 *   |L| are not shortcut because SC breaks them by its rounding and its [L < 0] rule, not by index.
 * Decisions of rate-1 and SPC nodes are kept as bits (64 per word) for the transform.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "polar_stages.h"
#include "polar_tree.h"
#include "refast/codes.h"
#include "refast/decoders.h"
#include "simd.h"

#define W VF_LANES

/* The lane mask m of the register at L + i as decision bits i .. i+W-1 (64 per word). */
AI void put_bits(uint64_t *bits, size_t i, mf m)
{
    const uint64_t b = mf_bits(m);
    if ((i & 63) == 0) bits[i >> 6] = b;
    else bits[i >> 6] |= b << (i & 63);
}

/* bits = [L_i < 0] (64 per word), n >= W; 0 if an LLR is 0 or NaN. */
static int hard_bits_vec(const float *L, size_t n, uint64_t *bits)
{
    mf bad = mf_zeros();
    for (size_t i = 0; i < n; i += W) {
        const vf v = vf_loadu(L + i);
        bad = mf_or(bad, vf_equ(v, vf_zero()));
        put_bits(bits, i, vf_lt(v, vf_zero()));
    }
    return !mf_any(bad);
}

/* Fused child stages for a rate-1 child under minsum (h >= W): its decision bits straight from
 * the parent's LLRs, without storing the child LLRs. Return 0 (nothing written) when a child LLR
 * would be 0 or NaN; the caller then takes the ordinary path. Left child: f's sign is the XOR of
 * the two "< 0" compares and f is 0 or NaN exactly when its magnitude (computed as stage_f does)
 * is. */
static int f_bits(const float *L, size_t h, uint64_t *bits)
{
    mf bad = mf_zeros();
    for (size_t i = 0; i < h; i += W) {
        const vf a = vf_loadu(L + i), b = vf_loadu(L + i + h);
        bad = mf_or(bad, vf_equ(vf_min_sel(vf_abs(a), vf_abs(b)), vf_zero()));
        put_bits(bits, i, mf_xor(vf_lt(a, vf_zero()), vf_lt(b, vf_zero())));
    }
    return !mf_any(bad);
}

/* Right child: g exactly as stage_g, compared in registers. */
static int g_bits(const float *L, const uint8_t *x, size_t h, uint64_t *bits)
{
    mf bad = mf_zeros();
    for (size_t i = 0; i < h; i += W) {
        const vf v = vg(vf_loadu(L + i), vf_loadu(L + i + h), x + i);
        bad = mf_or(bad, vf_equ(v, vf_zero()));
        put_bits(bits, i, vf_lt(v, vf_zero()));
    }
    return !mf_any(bad);
}

/* out[i] = t[i + h] + t[i], h >= W: one g stage with x_a = 0 (the repetition node's path). */
static void rep_add(const float *t, size_t h, float *out)
{
    for (size_t i = 0; i < h; i += W) vf_storeu(out + i, vf_add(vf_loadu(t + i + h), vf_loadu(t + i)));
}

typedef struct dec {
    const uint8_t *type; /* heap order: node (depth d, index j) at (1 << d) + j */
    uint64_t *bits;      /* rate-1 work: n/64 words */
    unsigned m;
    int f;
    uint8_t *msg;
} dec;

/* bits = [L_i < 0] (64 per word); 0 if an LLR is 0 or NaN. */
static int hard_bits(const float *L, size_t n, uint64_t *bits)
{
    if (n >= W) return hard_bits_vec(L, n, bits);
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(L[i] != 0.0f) || isnan(L[i])) return 0;
        w |= (uint64_t)(L[i] < 0.0f) << i;
    }
    bits[0] = w;
    return 1;
}

/* The index of the least |L_i| into *at; 0 if that least value occurs more than once. */
static int unique_argmin_abs(const float *L, size_t n, size_t *at)
{
    float best = fabsf(L[0]);
    size_t arg = 0, count = 1;
    for (size_t i = 1; i < n; i++) {
        const float a = fabsf(L[i]);
        if (a < best) {
            best = a;
            arg = i;
            count = 1;
        } else if (a == best) {
            count++;
        }
    }
    *at = arg;
    return count == 1;
}

/* The node's decisions from s->bits (fast/generic/polar_tree.h), appended to the message. */
static void emit(dec *s, size_t n, size_t skip, uint8_t *x)
{
    polar_emit(s->bits, n, skip, x, s->msg);
    s->msg += n - skip;
}

/* Rate-1 node under minsum: x_i = [L_i < 0], u = x F^{(x)n}. Returns 0 without writing anything
 * if an LLR is 0 or NaN (the shortcut's precondition); the caller then recurses. */
static int rate1(dec *s, const float *L, size_t n, uint8_t *x)
{
    if (!hard_bits(L, n, s->bits)) return 0;
    emit(s, n, 0, x);
    return 1;
}

/* SPC node (only the first leaf frozen, n >= 4) under minsum: Wagner's rule, x = hard decisions
 * with the least reliable one flipped if their parity is odd. Exact (SC's decisions, bit for
 * bit) when no LLR is 0 or NaN and, for odd parity, the least |L| is attained once; otherwise
 * returns 0 without writing and the caller recurses. Proof by induction on n, halves L1, L2:
 * the left child is SPC(n/2) on La = minsum(L1, L2) (exact in float: a min and a sign), with
 * h(La_i) = h(L1_i) ^ h(L2_i), so its parity is that of h(L) and, by induction (base n/2 = 2: the
 * repetition rule, sign of L1 + L0), it decodes Wagner(La). Even parity: x_a = h(La), so g adds
 * magnitudes of equal sign, Lb is nonzero with the sign of L2, and the rate-1 right child gives
 * x_b = h(L2), x = h(L). Odd parity: the only flipped position p of x_a is La's unique argmin,
 * min(|L1_p|, |L2_p|) = the global min; there g gives Lb_p = sign(L2_p)(|L2_p| - |L1_p|), whose
 * rounded value has the exact sign and is nonzero since the two magnitudes differ (the smaller
 * is the unique min; an infinity minus a finite value stays infinite, no NaN arises), so x_b_p
 * = h(L2_p) flipped iff |L2_p| is the smaller: exactly the global argmin is flipped. Other
 * positions as in the even case. */
static int spc(dec *s, const float *L, size_t n, uint8_t *x)
{
    uint64_t *bits = s->bits;
    if (!hard_bits(L, n, bits)) return 0;
    uint64_t par = 0;
    for (size_t w = 0; w < (n + 63) / 64; w++) par ^= bits[w];
    if (__builtin_parityll(par)) {
        size_t at;
        if (!unique_argmin_abs(L, n, &at)) return 0;
        bits[at >> 6] ^= (uint64_t)1 << (at & 63);
    }
    emit(s, n, 1, x);
    return 1;
}

/* Repetition node (every leaf frozen but the last): SC's path to the last leaf is g with x_a = 0
 * at every level, i.e. t_i = t_{i+h} + t_i for h = n/2, ..., 1, the same additions in the same
 * order (so bit-identical); the leaf decides [t_0 < 0] and x is that bit n times. tmp: n/2 floats. */
static void rep(dec *s, const float *L, size_t n, float *tmp, uint8_t *x)
{
    const float *t = L;
    size_t h = n / 2;
    for (; h >= W; h /= 2) {
        rep_add(t, h, tmp);
        t = tmp;
    }
    float v[W]; /* h < W here, so 2h <= W */
    memcpy(v, t, 2 * h * sizeof *v);
    for (; h >= 1; h /= 2)
        for (size_t i = 0; i < h; i++) v[i] = v[i + h] + v[i];
    const uint8_t b = v[0] < 0.0f;
    *s->msg++ = b;
    memset(x, b, n);
}

static void node(dec *s, unsigned d, size_t j, const float *L, float *scratch, uint8_t *x)
{
    const unsigned log2n = s->m - d;
    const size_t n = (size_t)1 << log2n;
    const uint8_t t = s->type[((size_t)1 << d) + j];
    if (t == NODE_RATE0) {
        memset(x, 0, n);
        return;
    }
    if (n == 1) { /* information leaf */
        x[0] = L[0] < 0.0f;
        *s->msg++ = x[0];
        return;
    }
    if (t == NODE_REP) {
        rep(s, L, n, scratch, x);
        return;
    }
    if (t == NODE_RATE1 && s->f == RF_F_MINSUM && rate1(s, L, n, x)) return;
    if (t == NODE_SPC && s->f == RF_F_MINSUM && spc(s, L, n, x)) return;
    const size_t h = n / 2;
    if (s->type[((size_t)2 << d) + 2 * j] == NODE_RATE0) {
        /* x_a = 0 whatever its LLRs: f is not needed, g adds, x = (x_b, x_b) */
        memset(x, 0, h);
        stage_g(L, x, h, scratch);
        node(s, d + 1, 2 * j + 1, scratch, scratch + h, x + h);
        memcpy(x, x + h, h);
        return;
    }
    const int fuse = s->f == RF_F_MINSUM && h >= W;
    if (fuse && s->type[((size_t)2 << d) + 2 * j] == NODE_RATE1 && f_bits(L, h, s->bits)) {
        emit(s, h, 0, x);
    } else {
        stage_f(s->f, L, h, scratch);
        node(s, d + 1, 2 * j, scratch, scratch + h, x);
    }
    if (fuse && s->type[((size_t)2 << d) + 2 * j + 1] == NODE_RATE1 && g_bits(L, x, h, s->bits)) {
        emit(s, h, 0, x + h);
    } else {
        stage_g(L, x, h, scratch);
        node(s, d + 1, 2 * j + 1, scratch, scratch + h, x + h);
    }
    rf_xor_bytes(x, x, x + h, h);
}

/* The thread's cache: the schedule of the last mask (polar_tree.h: polar_schedule) and the work
 * buffers for its code. */
typedef struct sc_cache {
    polar_schedule sched; /* first: the hooks get the cache as its schedule */
    uint8_t *x;
    float *scratch;
    uint64_t *bits;
    void *lanes; /* polar_sc_lanes.h's work block, allocated at its first use */
} sc_cache;

static int work_alloc(polar_schedule *s, size_t n)
{
    sc_cache *c = (sc_cache *)s;
    c->x = malloc(n);
    c->scratch = malloc(n * sizeof(float));
    c->bits = malloc(((n + 63) / 64) * sizeof(uint64_t));
    return c->x && c->scratch && c->bits;
}

static void work_free(polar_schedule *s)
{
    sc_cache *c = (sc_cache *)s;
    free(c->x);
    free(c->scratch);
    free(c->bits);
    free(c->lanes);
    *c = (sc_cache){.sched = c->sched};
}

static _Thread_local sc_cache cache = {.sched = {.m = ~0u, .work_alloc = work_alloc, .work_free = work_free}};

#include "polar_sc_lanes.h"

/* Short codes decode W frames at a time in lanes (polar_sc_lanes.h), the frames left over (and
 * longer codes, or no memory for the lanes) one at a time. */
void RF_LEVEL_FN(polar_sc)(unsigned log2n, const uint8_t *frozen, int f, const float *llr, size_t frames,
                           uint8_t *msg)
{
    if (log2n > RF_RM_MAX_M || frames == 0) return;
    if (!polar_schedule_get(&cache.sched, log2n, frozen)) return;
    const size_t n = (size_t)1 << log2n;
    size_t done = 0;
    if (frames >= W && log2n <= POLAR_SC_LANE_MAX_M) {
        if (!cache.lanes) cache.lanes = malloc(lanes_block_size(log2n, cache.sched.k));
        if (cache.lanes) {
            done = frames / W * W;
            lanes_run(log2n, cache.sched.k, cache.sched.type, f, llr, frames / W, msg, cache.lanes);
        }
    }
    for (size_t fr = done; fr < frames; fr++) {
        dec s = {cache.sched.type, cache.bits, log2n, f, msg + fr * cache.sched.k};
        node(&s, 0, 0, llr + fr * n, cache.scratch, cache.x);
    }
}
