/* Polar Fast-SSC list decoder (Fast-SSCL), min-sum, scalar reference (refast/decoders.h
 * polar_fscl; Hashemi, Condo and Gross, "Fast and flexible successive-cancellation list decoders
 * for polar codes", IEEE TSP 2017; Sarkis et al., JSAC 2016).
 *
 * The SC list recursion of ref/polar_scl.c with f = min-sum, stopped at the nodes whose list
 * decisions have a closed form. A node of n LLRs alpha (per path) is decided at once when its
 * leaves are (heap classification below):
 *   rate-0   all frozen: x = 0, PM += sum_i pen(alpha_i), pen(a) = [a < 0] |a|.
 *   rep      all frozen but the last: x = v 1, two candidates v per path, PM + sum_i
 *            pen((1 - 2v) alpha_i); the first candidate is the cheaper v (ties: v = 0).
 *   rate-1   no frozen leaf: x starts at the hard decisions h_i = [alpha_i < 0]; then for
 *            t = 0 .. min(L - 1, n) - 1, with i_t the path's t-th least reliable position
 *            (|alpha| ascending, ties to the lower index), every path forks into "keep x_{i_t}"
 *            (PM) and "flip it" (PM + |alpha_{i_t}|) and the list keeps the L best.
 *   SPC      only the first leaf frozen (x of even parity): x starts at h with x_{i_0} flipped
 *            when h has odd parity (PM + |alpha_{i_0}|); then for t = 1 .. min(L, n) - 1 every
 *            path forks into "keep" and "flip x_{i_t} and x_{i_0}": base + |alpha_{i_t}| and
 *            + |alpha_{i_0}| iff x_{i_0} then differs from h_{i_0} (base: PM at the node plus the
 *            |alpha_{i_t}| of the flips so far, added in step order).
 *   mixed    anything else: alpha_a = f(alpha_1, alpha_2), decode the left child, alpha_b = g,
 *            decode the right child, x = (x_a XOR x_b, x_b), as polar_sc and polar_scl.
 * A node's message bits are those of u = x F^{(x)n} at its information leaves.
 *
 * Why it is SCL (the claim tests/test_polar_fscl.c checks frame by frame against polar_scl):
 * with min-sum, a rate-0 subtree's leaf penalties sum to sum pen(alpha_i) (two leaves: pen(f(a,
 * b)) + pen(a + b) = pen(a) + pen(b) in every sign case, then induction); f(-a, -b) = f(a, b)
 * gives the rep node's v = 1 sum; in a subtree with no frozen leaf after the current one, a
 * partial path's metric is the least metric of its completions, so leaf-by-leaf pruning keeps the
 * L best completions, which the flips above enumerate (a single path's L best differ from h only
 * in its L - 1 least reliable positions; SPC: the L least reliable, one of them i_0 for parity).
 * In exact arithmetic and without ties between metrics the list after every node is SCL's list
 * (as a set of paths with the same metrics), so the output is SCL's. Float sums differ from SCL's
 * by roundings (the SCL near-tie bound's sizes), and equal metrics may be broken differently.
 * With list >= 2^K both are block ML under min-sum's metric (sum of |l_i| where x_i disagrees).
 *
 * Candidates and ties: every fork numbers its candidates c = 2p + j (p the parent's position in
 * the list, j = 0 keep / the cheaper v, j = 1 the other), ranks them by (metric, c) and keeps the
 * first `list`, in increasing c: as polar_scl. The output is the first path of least metric;
 * polar_fscl_paths writes all final paths ranked by (metric, position), rows beyond 0xff.
 *
 * Non-finite inputs: every channel LLR is sanitised first (NaN -> 0, an erasure; beyond +-2^100,
 * infinities included, -> +-2^100), as rm_dumer does, so every sum and metric is finite for
 * N <= 2^16. Memory: plain copies (a fork copies the path's LLRs, codewords and bits); the fast
 * levels share arrays instead (fast/generic/polar_fscl.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/codes.h"
#include "refast/decoders.h"

float RF_REF(polar_f_minsum)(float a, float b);

enum { FN_MIXED, FN_RATE0, FN_RATE1, FN_REP, FN_SPC };

typedef struct fscl_path {
    float *llr;       /* 2N: depth d's node LLRs at [N >> d, 2 (N >> d)); depth 0 the channel */
    uint8_t *x;       /* 2N: depth d's codeword, the same layout */
    uint8_t *bits;    /* k message bits */
    size_t *rank;     /* N: a rate-1 / SPC node's positions, least reliable first */
    float pm, base;   /* metric; SPC: metric without the i_0 penalty */
} fscl_path;

typedef struct fscl {
    unsigned m, L;
    size_t n, k, kpos;
    uint8_t *type;    /* 2N heap: node v's children 2v, 2v + 1; leaves N .. 2N - 1 */
    fscl_path *slot;  /* L slots */
    int order[RF_SCL_MAX_L], norder; /* the list: slots in logical order */
    int free_slots[RF_SCL_MAX_L], nfree;
} fscl;

static float pen(float a) { return a < 0.0f ? -a : 0.0f; }

/* Heap of node types, bottom-up (the rule fast/generic/polar_tree.h applies too). */
static void classify(unsigned m, const uint8_t *frozen, uint8_t *type)
{
    const size_t n = (size_t)1 << m;
    for (size_t i = 0; i < n; i++) type[n + i] = frozen[i] ? FN_RATE0 : FN_RATE1;
    for (size_t v = n - 1; v >= 1; v--) {
        const uint8_t a = type[2 * v], b = type[2 * v + 1];
        const int right_is_leaf = 2 * v + 1 >= n, left_is_pair = 4 * v >= n;
        if (a == b && (a == FN_RATE0 || a == FN_RATE1)) type[v] = a;
        else if (b == FN_RATE1 && (a == FN_SPC || (a == FN_REP && left_is_pair))) type[v] = FN_SPC;
        else if (a == FN_RATE0 && (b == FN_REP || (b == FN_RATE1 && right_is_leaf))) type[v] = FN_REP;
        else type[v] = FN_MIXED;
    }
}

static float *llr_at(fscl *s, int slot, unsigned d) { return s->slot[slot].llr + (s->n >> d); }
static uint8_t *x_at(fscl *s, int slot, unsigned d) { return s->slot[slot].x + (s->n >> d); }

static void copy_path(fscl *s, int from, int to)
{
    fscl_path *a = &s->slot[from], *b = &s->slot[to];
    memcpy(b->llr, a->llr, 2 * s->n * sizeof *a->llr);
    memcpy(b->x, a->x, 2 * s->n);
    memcpy(b->bits, a->bits, s->k);
    memcpy(b->rank, a->rank, s->n * sizeof *a->rank);
    b->pm = a->pm;
    b->base = a->base;
}

static int ranks_before(float ma, int ca, float mb, int cb)
{
    if (isnan(ma) || isnan(mb)) return isnan(ma) == isnan(mb) ? ca < cb : !isnan(ma);
    if (ma != mb) return ma < mb;
    return ca < cb;
}

/* One fork of every path: candidate 2p + j has metric cm[2p + j]. Keeps the `list` best (their
 * metrics set) and returns, in the new list order, each survivor's old position p and j, which
 * the caller applies to the path's state (a twin is a copy of its parent as it was). */
static int branch(fscl *s, const float *cm, int *from, uint8_t *js)
{
    const int P = s->norder, nc = 2 * P;
    uint8_t keep[2 * RF_SCL_MAX_L];
    int order[RF_SCL_MAX_L];
    for (int c = 0; c < nc; c++) {
        int better = 0;
        for (int q = 0; q < nc; q++) better += q != c && ranks_before(cm[q], q, cm[c], c);
        keep[c] = better < (int)s->L;
    }
    for (int p = 0; p < P; p++)
        if (!keep[2 * p] && !keep[2 * p + 1]) s->free_slots[s->nfree++] = s->order[p];
    int nn = 0;
    for (int p = 0; p < P; p++) {
        const int slot = s->order[p];
        for (int j = 0; j < 2; j++) {
            if (!keep[2 * p + j]) continue;
            int to = slot;
            if (j == 1 && keep[2 * p]) {
                to = s->free_slots[--s->nfree];
                copy_path(s, slot, to);
            }
            s->slot[to].pm = cm[2 * p + j];
            order[nn] = to;
            from[nn] = p;
            js[nn++] = (uint8_t)j;
        }
    }
    memcpy(s->order, order, (size_t)nn * sizeof *order);
    s->norder = nn;
    return nn;
}

/* Appends u = x F^{(x)n}'s bits from `skip` on to every path's message: x = u F^{(x)n} in this
 * layout ((x_a XOR x_b, x_b)) and F^{(x)n} is its own inverse, so u_i = XOR of x_j over the j whose
 * index bits include i's. */
static void emit(fscl *s, unsigned d, size_t skip)
{
    const size_t n = s->n >> d;
    for (int p = 0; p < s->norder; p++) {
        fscl_path *q = &s->slot[s->order[p]];
        uint8_t *u = q->bits + s->kpos;
        const uint8_t *x = x_at(s, s->order[p], d);
        for (size_t i = skip; i < n; i++) {
            uint8_t b = 0;
            for (size_t j = i; j < n; j = (j + 1) | i) b ^= x[j];
            u[i - skip] = b;
        }
    }
    s->kpos += n - skip;
}

/* rank[0..t) of a path: the t least reliable positions of alpha (|alpha| ascending, ties to the
 * lower index), by selection. */
static void least_reliable(const float *alpha, size_t n, size_t t, size_t *rank)
{
    for (size_t r = 0; r < t; r++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++) {
            int taken = 0;
            for (size_t q = 0; q < r; q++) taken |= rank[q] == i;
            if (!taken && (best == n || fabsf(alpha[i]) < fabsf(alpha[best]))) best = i;
        }
        rank[r] = best;
    }
}

static void rate0(fscl *s, unsigned d)
{
    const size_t n = s->n >> d;
    for (int p = 0; p < s->norder; p++) {
        const int slot = s->order[p];
        const float *alpha = llr_at(s, slot, d);
        for (size_t i = 0; i < n; i++) s->slot[slot].pm += pen(alpha[i]);
        memset(x_at(s, slot, d), 0, n);
    }
}

static void rep(fscl *s, unsigned d)
{
    const size_t n = s->n >> d;
    float cm[2 * RF_SCL_MAX_L];
    uint8_t first[RF_SCL_MAX_L], js[RF_SCL_MAX_L];
    int from[RF_SCL_MAX_L];
    for (int p = 0; p < s->norder; p++) {
        const int slot = s->order[p];
        const float *alpha = llr_at(s, slot, d);
        float m0 = s->slot[slot].pm, m1 = s->slot[slot].pm;
        for (size_t i = 0; i < n; i++) {
            m0 += pen(alpha[i]);
            m1 += pen(-alpha[i]);
        }
        first[p] = m1 < m0;
        cm[2 * p] = first[p] ? m1 : m0;
        cm[2 * p + 1] = first[p] ? m0 : m1;
    }
    const int nn = branch(s, cm, from, js);
    for (int q = 0; q < nn; q++) memset(x_at(s, s->order[q], d), first[from[q]] ^ js[q], n);
    emit(s, d, n - 1);
}

/* The flips of rate-1 (spc = 0) and SPC (spc = 1) nodes. */
static void rate1_or_spc(fscl *s, unsigned d, int spc)
{
    const size_t n = s->n >> d;
    const size_t steps = spc ? (s->L < n ? s->L : n) : (s->L - 1 < n ? s->L - 1 : n);
    for (int p = 0; p < s->norder; p++) {
        const int slot = s->order[p];
        fscl_path *q = &s->slot[slot];
        const float *alpha = llr_at(s, slot, d);
        uint8_t *x = x_at(s, slot, d), parity = 0;
        for (size_t i = 0; i < n; i++) parity ^= x[i] = alpha[i] < 0.0f;
        least_reliable(alpha, n, spc ? (steps > 1 ? steps : 1) : steps, q->rank);
        q->base = q->pm;
        if (spc && parity) {
            x[q->rank[0]] ^= 1;
            q->pm = q->base + fabsf(alpha[q->rank[0]]);
        }
    }
    float cm[2 * RF_SCL_MAX_L];
    uint8_t js[RF_SCL_MAX_L];
    int from[RF_SCL_MAX_L];
    for (size_t t = spc ? 1 : 0; t < steps; t++) {
        for (int p = 0; p < s->norder; p++) {
            const int slot = s->order[p];
            const fscl_path *q = &s->slot[slot];
            const float *alpha = llr_at(s, slot, d);
            cm[2 * p] = q->pm;
            if (!spc) {
                cm[2 * p + 1] = q->pm + fabsf(alpha[q->rank[t]]);
            } else {
                const size_t i0 = q->rank[0];
                const uint8_t i0_flipped_after = (uint8_t)(x_at(s, slot, d)[i0] == (alpha[i0] < 0.0f));
                const float base = q->base + fabsf(alpha[q->rank[t]]);
                cm[2 * p + 1] = i0_flipped_after ? base + fabsf(alpha[i0]) : base;
            }
        }
        const int nn = branch(s, cm, from, js);
        for (int r = 0; r < nn; r++) {
            if (!js[r]) continue;
            fscl_path *q = &s->slot[s->order[r]];
            uint8_t *x = x_at(s, s->order[r], d);
            x[q->rank[t]] ^= 1;
            if (spc) {
                x[q->rank[0]] ^= 1;
                q->base += fabsf(llr_at(s, s->order[r], d)[q->rank[t]]);
            }
        }
    }
    emit(s, d, (size_t)spc);
}

static void node(fscl *s, size_t v, unsigned d)
{
    switch (s->type[v]) {
    case FN_RATE0: rate0(s, d); return;
    case FN_REP: rep(s, d); return;
    case FN_RATE1: rate1_or_spc(s, d, 0); return;
    case FN_SPC: rate1_or_spc(s, d, 1); return;
    default: break;
    }
    const size_t h = s->n >> (d + 1);
    for (int p = 0; p < s->norder; p++) {
        const float *alpha = llr_at(s, s->order[p], d);
        float *child = llr_at(s, s->order[p], d + 1);
        for (size_t i = 0; i < h; i++) child[i] = RF_REF(polar_f_minsum)(alpha[i], alpha[i + h]);
    }
    node(s, 2 * v, d + 1);
    for (int p = 0; p < s->norder; p++) {
        const float *alpha = llr_at(s, s->order[p], d);
        float *child = llr_at(s, s->order[p], d + 1);
        uint8_t *x = x_at(s, s->order[p], d);
        memcpy(x, x_at(s, s->order[p], d + 1), h); /* x_a, kept while the right child runs */
        for (size_t i = 0; i < h; i++) child[i] = x[i] ? alpha[i + h] - alpha[i] : alpha[i + h] + alpha[i];
    }
    node(s, 2 * v + 1, d + 1);
    for (int p = 0; p < s->norder; p++) {
        uint8_t *x = x_at(s, s->order[p], d);
        const uint8_t *xb = x_at(s, s->order[p], d + 1);
        for (size_t i = 0; i < h; i++) {
            x[i] ^= xb[i];
            x[i + h] = xb[i];
        }
    }
}

static void fscl_free(fscl *s)
{
    for (unsigned i = 0; s->slot && i < s->L; i++) {
        free(s->slot[i].llr);
        free(s->slot[i].x);
        free(s->slot[i].bits);
        free(s->slot[i].rank);
    }
    free(s->slot);
    free(s->type);
}

static int fscl_init(fscl *s, unsigned m, unsigned L, const uint8_t *frozen)
{
    memset(s, 0, sizeof *s);
    s->m = m;
    s->L = L;
    s->n = (size_t)1 << m;
    for (size_t i = 0; i < s->n; i++) s->k += !frozen[i];
    s->type = malloc(2 * s->n);
    s->slot = calloc(L, sizeof *s->slot);
    if (!s->type || !s->slot) {
        fscl_free(s);
        return -1;
    }
    for (unsigned i = 0; i < L; i++) {
        fscl_path *q = &s->slot[i];
        q->llr = malloc(2 * s->n * sizeof *q->llr);
        q->x = malloc(2 * s->n);
        q->bits = malloc(s->k ? s->k : 1);
        q->rank = malloc(s->n * sizeof *q->rank);
        if (!q->llr || !q->x || !q->bits || !q->rank) {
            fscl_free(s);
            return -1;
        }
    }
    classify(m, frozen, s->type);
    return 0;
}

static float sanitise(float l)
{
    if (isnan(l)) return 0.0f;
    const float cap = 0x1p100f;
    return l > cap ? cap : l < -cap ? -cap : l;
}

static void decode_frame(fscl *s, const float *chan, uint8_t *out, uint8_t *paths)
{
    s->order[0] = 0;
    s->norder = 1;
    s->nfree = 0;
    for (unsigned i = s->L; i-- > 1;) s->free_slots[s->nfree++] = (int)i;
    s->kpos = 0;
    s->slot[0].pm = 0.0f;
    float *root = llr_at(s, 0, 0);
    for (size_t i = 0; i < s->n; i++) root[i] = sanitise(chan[i]);
    node(s, 1, 0);
    if (out) {
        int best = 0;
        for (int p = 1; p < s->norder; p++)
            if (ranks_before(s->slot[s->order[p]].pm, p, s->slot[s->order[best]].pm, best)) best = p;
        memcpy(out, s->slot[s->order[best]].bits, s->k);
        return;
    }
    for (int p = 0; p < s->norder; p++) {
        int rank = 0;
        for (int q = 0; q < s->norder; q++)
            rank += q != p && ranks_before(s->slot[s->order[q]].pm, q, s->slot[s->order[p]].pm, p);
        memcpy(paths + (size_t)rank * s->k, s->slot[s->order[p]].bits, s->k);
    }
    memset(paths + (size_t)s->norder * s->k, 0xff, (s->L - (size_t)s->norder) * s->k);
}

static void run(unsigned log2n, const uint8_t *frozen, unsigned list, const float *llr, size_t frames,
                uint8_t *msg, uint8_t *paths)
{
    if (log2n > RF_RM_MAX_M || list < 1 || list > RF_SCL_MAX_L || frames == 0) return;
    fscl s;
    if (fscl_init(&s, log2n, list, frozen)) return;
    for (size_t fr = 0; fr < frames; fr++)
        decode_frame(&s, llr + fr * s.n, msg ? msg + fr * s.k : NULL, msg ? NULL : paths + fr * list * s.k);
    fscl_free(&s);
}

void RF_REF(polar_fscl)(unsigned log2n, const uint8_t *frozen, unsigned list, const float *llr, size_t frames,
                        uint8_t *msg)
{
    run(log2n, frozen, list, llr, frames, msg, NULL);
}

void RF_REF(polar_fscl_paths)(unsigned log2n, const uint8_t *frozen, unsigned list, const float *llr,
                              size_t frames, uint8_t *paths)
{
    run(log2n, frozen, list, llr, frames, NULL, paths);
}
