/* Polar SC decoder on int8 LLRs at a vector level (mirrors ref/polar_sc_i8.c: polar_sc_i8_ref):
 * the node schedule and shortcut nodes of fast/generic/polar_sc.c (fast/generic/polar_tree.h),
 * over the level's int8 ops (fast/<isa>/simd.h, B = VB_LANES bytes per register: 32 avx2, 64
 * avx512, 16 neon). A node of n LLRs computes its n/2 child LLRs a register at a time while
 * n/2 >= B, in the low n/2 lanes of one register below that (vb_loadn / vb_storen). The lane
 * operations are ref's integer ones:
 *   f   min(|a|, |b|), negated where (a XOR b) < 0 (exactly one of a, b negative);
 *   g   max(adds(b, x ? -a : a), -127): with a, b in [-127, 127], -a exists and the int8
 *       saturating add followed by max(., -127) is the clamp of b +- a to [-127, 127]; the x
 *       bytes are decisions, 0 or 1, which mb_from_u8 turns into the lane mask;
 *   rep t = max(adds(t_{i+h}, t_i), -127), the same clamp.
 * Inputs are first copied with max(L, -127) (ref's read of -128), so every value any stage sees
 * lies in [-127, 127]. Integer arithmetic is exact, so the outputs are bit-identical to ref.
 *
 * Shortcut nodes, each exact in saturating integer arithmetic (tests/test_polar_i8.c checks them
 * against ref on inputs full of zeros, ties and saturated values):
 * - rate-0: x = 0 without reading an LLR; a node whose left half is rate-0 skips f (x_a = 0).
 * - repetition (every leaf frozen but the last): SC reaches the last leaf through g with x_a = 0
 *   at every level; rep() performs those same saturating additions in the same fold order (the
 *   clamp makes the sum order-dependent, so the order is ref's, not a re-associated one) and
 *   decides [sum < 0].
 * - rate-1 (every leaf information): x_i = [L_i < 0], u = x F^{(x)n}, provided no LLR of the node
 *   is 0 (checked; otherwise the recursion runs). Exact: with nonzero L1, L2, f = +-min(|L1|,
 *   |L2|) is nonzero with sign [L1 < 0] XOR [L2 < 0], so by induction x_a = h(L1) XOR h(L2);
 *   then g adds L1 and L2 where their signs agree (the sum and its clamp keep that sign and
 *   are nonzero) and subtracts where they differ (b - a with opposite signs has b's sign and
 *   magnitude |a| + |b| >= 2, clamped to <= 127, still nonzero), so L_b is nonzero with the sign
 *   of L2, x_b = h(L2) and x_a XOR x_b = h(L1).
 * - SPC (only the first leaf frozen, n >= 4): Wagner's rule (hard decisions, the least |L|
 *   flipped on odd parity) when no LLR is 0 and, on odd parity, the least |L| is attained once;
 *   otherwise the recursion. Proof as in polar_sc.c, with integers: the left child is SPC(n/2)
 *   (or the 2-leaf repetition) on La = f(L1, L2) with h(La) = h(L1) XOR h(L2), nonzero, and its
 *   least |La| is again unique (min(|L1_p|, |L2_p|) at the global argmin p, larger elsewhere);
 *   base n/2 = 2: sat(La_1 + La_0) has the sign of the larger magnitude (opposite signs: no
 *   clamp, nonzero as the magnitudes differ; equal signs: that sign). At p, on odd parity,
 *   g gives sign(L2_p)(|L2_p| - |L1_p|): no clamp (|.| <= 126), nonzero, so x_b_p = h(L2_p)
 *   flipped iff |L2_p| is the smaller; other positions keep h(L2) as in the rate-1 case.
 *   Ties of the least |L| (common with small integers) are not shortcut: SC breaks them by its
 *   [L < 0] rule, not by index.
 */
#include <stdlib.h>
#include <string.h>

#include "polar_tree.h"
#include "refast/codes.h"
#include "refast/decoders.h"
#include "simd.h"

#define B VB_LANES
_Static_assert(B <= 64 && 64 % B == 0, "a register's decision bits fit in one word");

AI vi8 vb_f(vi8 a, vi8 b)
{
    return vb_neg_if_neg(vb_min(vb_abs(a), vb_abs(b)), vb_xor(a, b));
}

/* g with the lanes of sub (x_a = 1) subtracting. */
AI vi8 vb_gm(vi8 a, vi8 b, mi8 sub)
{
    return vb_max(vb_adds(b, vb_neg_where(sub, a)), vb_set1(-127));
}

AI vi8 vb_g(vi8 a, vi8 b, const uint8_t *x)
{
    return vb_gm(a, b, mb_from_u8(x));
}

/* The lane mask m of the register at L + i as decision bits i .. i+B-1 (64 per word). */
AI void put_bits(uint64_t *bits, size_t i, mi8 m)
{
    const uint64_t b = mb_bits(m);
    if ((i & 63) == 0) bits[i >> 6] = b;
    else bits[i >> 6] |= b << (i & 63);
}

/* out[i] = f(L[i], L[i + h]). */
static void stage_f(const int8_t *L, size_t h, int8_t *out)
{
    if (h >= B) {
        for (size_t i = 0; i < h; i += B) vb_storeu(out + i, vb_f(vb_loadu(L + i), vb_loadu(L + i + h)));
    } else { /* the low h lanes of one register */
        vb_storen(out, h, vb_f(vb_loadn(L, h), vb_loadn(L + h, h)));
    }
}

/* out[i] = sat(x[i] ? L[i + h] - L[i] : L[i + h] + L[i]). */
static void stage_g(const int8_t *L, const uint8_t *x, size_t h, int8_t *out)
{
    if (h >= B) {
        for (size_t i = 0; i < h; i += B) vb_storeu(out + i, vb_g(vb_loadu(L + i), vb_loadu(L + i + h), x + i));
    } else {
        const mi8 sub = mb_from_01(vb_loadn((const int8_t *)(const void *)x, h));
        vb_storen(out, h, vb_gm(vb_loadn(L, h), vb_loadn(L + h, h), sub));
    }
}

/* out[i] = sat(L[i + h] + L[i]): g after a rate-0 left half (x_a = 0). */
static void stage_g0(const int8_t *L, size_t h, int8_t *out)
{
    if (h >= B) {
        for (size_t i = 0; i < h; i += B)
            vb_storeu(out + i, vb_max(vb_adds(vb_loadu(L + i + h), vb_loadu(L + i)), vb_set1(-127)));
    } else {
        vb_storen(out, h, vb_max(vb_adds(vb_loadn(L + h, h), vb_loadn(L, h)), vb_set1(-127)));
    }
}

/* bits = [L_i < 0] (64 per word); 0 if an LLR is 0. */
static int hard_bits(const int8_t *L, size_t n, uint64_t *bits)
{
    if (n >= B) {
        mi8 bad = mb_zeros();
        for (size_t i = 0; i < n; i += B) {
            const vi8 v = vb_loadu(L + i);
            bad = mb_or(bad, vb_eq0(v));
            put_bits(bits, i, vb_lt0(v));
        }
        return !mb_any(bad);
    }
    const vi8 v = vb_loadn(L, n); /* lanes n.. are 0 and < 0 is false there */
    if (mb_bits(vb_eq0(v)) & (((uint64_t)1 << n) - 1)) return 0;
    bits[0] = mb_bits(vb_lt0(v));
    return 1;
}

/* Fused child stages for a rate-1 child (h >= B): its decision bits straight from the parent's
 * LLRs. Return 0 when a child LLR would be 0 (the caller then takes the ordinary path). Left: f is
 * 0 exactly when min(|a|, |b|) is, its sign the XOR of the two signs. */
static int f_bits(const int8_t *L, size_t h, uint64_t *bits)
{
    mi8 bad = mb_zeros();
    for (size_t i = 0; i < h; i += B) {
        const vi8 a = vb_loadu(L + i), b = vb_loadu(L + i + h);
        bad = mb_or(bad, vb_eq0(vb_min(vb_abs(a), vb_abs(b))));
        put_bits(bits, i, vb_lt0(vb_xor(a, b)));
    }
    return !mb_any(bad);
}

/* Right: g exactly as stage_g, compared in registers. */
static int g_bits(const int8_t *L, const uint8_t *x, size_t h, uint64_t *bits)
{
    mi8 bad = mb_zeros();
    for (size_t i = 0; i < h; i += B) {
        const vi8 v = vb_g(vb_loadu(L + i), vb_loadu(L + i + h), x + i);
        bad = mb_or(bad, vb_eq0(v));
        put_bits(bits, i, vb_lt0(v));
    }
    return !mb_any(bad);
}

/* The index of the least |L_i| into *at; 0 if that least value occurs more than once. Vector
 * form for n >= B: the lane-wise minimum of |L|, its smallest lane, then the lanes equal to it
 * (|L| - min == 0) counted and the first located. */
static int unique_argmin_abs(const int8_t *L, size_t n, size_t *at)
{
    if (n >= B) {
        vi8 mn = vb_set1(127);
        for (size_t i = 0; i < n; i += B) mn = vb_min(mn, vb_abs(vb_loadu(L + i)));
        int8_t lanes[B];
        vb_storeu(lanes, mn);
        int8_t best = 127;
        for (size_t l = 0; l < B; l++) best = lanes[l] < best ? lanes[l] : best;
        const vi8 bv = vb_set1(best);
        size_t count = 0;
        for (size_t i = 0; i < n; i += B) {
            const uint64_t eq = mb_bits(vb_eq0(vb_subs(vb_abs(vb_loadu(L + i)), bv)));
            if (eq && count == 0) *at = i + (size_t)__builtin_ctzll(eq);
            count += (size_t)__builtin_popcountll(eq);
            if (count > 1) return 0;
        }
        return count == 1;
    }
    int best = 128;
    size_t arg = 0, count = 0;
    for (size_t i = 0; i < n; i++) {
        const int a = L[i] < 0 ? -L[i] : L[i];
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

typedef struct dec {
    const uint8_t *type; /* heap order: node (depth d, index j) at (1 << d) + j */
    uint64_t *bits;      /* rate-1 / SPC work: n/64 words */
    unsigned m;
    uint8_t *msg;
} dec;

static void emit(dec *s, size_t n, size_t skip, uint8_t *x)
{
    polar_emit(s->bits, n, skip, x, s->msg);
    s->msg += n - skip;
}

static int spc(dec *s, const int8_t *L, size_t n, uint8_t *x)
{
    uint64_t *bits = s->bits;
    if (!hard_bits(L, n, bits)) return 0;
    uint64_t par = 0;
    for (size_t w = 0; w < (n + 63) / 64; w++) par ^= bits[w];
    if (__builtin_parityll(par)) {
        size_t at = 0;
        if (!unique_argmin_abs(L, n, &at)) return 0;
        bits[at >> 6] ^= (uint64_t)1 << (at & 63);
    }
    emit(s, n, 1, x);
    return 1;
}

/* Repetition node: t_i = sat(t_{i+h} + t_i) for h = n/2, ..., 1 (ref's order), then [t_0 < 0].
 * tmp: n/2 bytes. */
static void rep(dec *s, const int8_t *L, size_t n, int8_t *tmp, uint8_t *x)
{
    const int8_t *t = L;
    size_t h = n / 2;
    for (; h >= B; h /= 2) {
        for (size_t i = 0; i < h; i += B)
            vb_storeu(tmp + i, vb_max(vb_adds(vb_loadu(t + i + h), vb_loadu(t + i)), vb_set1(-127)));
        t = tmp;
    }
    for (; h >= 1; h /= 2) { /* both halves are loaded before tmp is written */
        vb_storen(tmp, h, vb_max(vb_adds(vb_loadn(t + h, h), vb_loadn(t, h)), vb_set1(-127)));
        t = tmp;
    }
    const uint8_t b = t[0] < 0;
    *s->msg++ = b;
    memset(x, b, n);
}

static void node(dec *s, unsigned d, size_t j, const int8_t *L, int8_t *scratch, uint8_t *x)
{
    const unsigned log2n = s->m - d;
    const size_t n = (size_t)1 << log2n;
    const uint8_t t = s->type[((size_t)1 << d) + j];
    if (t == NODE_RATE0) {
        memset(x, 0, n);
        return;
    }
    if (n == 1) { /* information leaf */
        x[0] = L[0] < 0;
        *s->msg++ = x[0];
        return;
    }
    if (t == NODE_REP) {
        rep(s, L, n, scratch, x);
        return;
    }
    if (t == NODE_RATE1 && hard_bits(L, n, s->bits)) {
        emit(s, n, 0, x);
        return;
    }
    if (t == NODE_SPC && spc(s, L, n, x)) return;
    const size_t h = n / 2;
    const uint8_t left = s->type[((size_t)2 << d) + 2 * j], right = s->type[((size_t)2 << d) + 2 * j + 1];
    if (left == NODE_RATE0) {
        /* x_a = 0 whatever its LLRs: f is not needed, g adds, x = (x_b, x_b) */
        stage_g0(L, h, scratch);
        node(s, d + 1, 2 * j + 1, scratch, scratch + h, x + h);
        memcpy(x, x + h, h);
        return;
    }
    if (h >= B && left == NODE_RATE1 && f_bits(L, h, s->bits)) {
        emit(s, h, 0, x);
    } else {
        stage_f(L, h, scratch);
        node(s, d + 1, 2 * j, scratch, scratch + h, x);
    }
    if (h >= B && right == NODE_RATE1 && g_bits(L, x, h, s->bits)) {
        emit(s, h, 0, x + h);
    } else {
        stage_g(L, x, h, scratch);
        node(s, d + 1, 2 * j + 1, scratch, scratch + h, x + h);
    }
    rf_xor_bytes(x, x, x + h, h);
}

/* The thread's cache: the schedule of the last mask (polar_tree.h: polar_schedule) and the work
 * buffers for its code (int8, and the clamped copy of the frame). */
typedef struct sc_i8_cache {
    polar_schedule sched; /* first: the hooks get the cache as its schedule */
    uint8_t *x;
    int8_t *in, *scratch;
    uint64_t *bits;
} sc_i8_cache;

static int work_alloc(polar_schedule *s, size_t n)
{
    sc_i8_cache *c = (sc_i8_cache *)s;
    c->x = malloc(n);
    c->in = malloc(n);
    c->scratch = malloc(n);
    c->bits = malloc(((n + 63) / 64) * sizeof(uint64_t));
    return c->x && c->in && c->scratch && c->bits;
}

static void work_free(polar_schedule *s)
{
    sc_i8_cache *c = (sc_i8_cache *)s;
    free(c->x);
    free(c->in);
    free(c->scratch);
    free(c->bits);
    *c = (sc_i8_cache){.sched = c->sched};
}

static _Thread_local sc_i8_cache cache = {.sched = {.m = ~0u, .work_alloc = work_alloc, .work_free = work_free}};

/* dst = max(src, -127): ref's read of -128. */
static void clamp_input(const int8_t *src, size_t n, int8_t *dst)
{
    size_t i = 0;
    for (; i + B <= n; i += B) vb_storeu(dst + i, vb_max(vb_loadu(src + i), vb_set1(-127)));
    for (; i < n; i++) dst[i] = src[i] < -127 ? -127 : src[i];
}

void RF_LEVEL_FN(polar_sc_i8)(unsigned log2n, const uint8_t *frozen, const int8_t *llr, size_t frames,
                              uint8_t *msg)
{
    if (log2n > RF_RM_MAX_M || frames == 0) return;
    if (!polar_schedule_get(&cache.sched, log2n, frozen)) return;
    const size_t n = (size_t)1 << log2n;
    for (size_t fr = 0; fr < frames; fr++) {
        clamp_input(llr + fr * n, n, cache.in);
        dec s = {cache.sched.type, cache.bits, log2n, msg + fr * cache.sched.k};
        node(&s, 0, 0, cache.in, cache.scratch, cache.x);
    }
}
