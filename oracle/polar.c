/* Polar SC, SC list and block ML oracles (see oracle.h). Deliberately a different computation from
 * ref/: no stored partial sums or per-depth arrays; each leaf LLR is rebuilt from the channel and
 * the decided prefix, and codewords come from the subset definition of F^{(x)n}. O(N^2 log N) per
 * path and frame, which is what bounds the golden code lengths. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"
#include "refast/decoders.h"

#define ORA_MAX_N 65536
#define ORA_MAX_L 32

typedef long double ld;

/* x_j = XOR over i with (j & ~i) == 0 of u_i, evaluated as a superset transform bit by bit. */
void ora_polar_encode(unsigned log2n, const uint8_t *u, uint8_t *x)
{
    const size_t n = (size_t)1 << log2n;
    for (size_t j = 0; j < n; j++) x[j] = u[j] & 1;
    for (size_t b = 1; b < n; b <<= 1)
        for (size_t j = 0; j < n; j++)
            if (!(j & b)) x[j] ^= x[j | b];
}

static ld f_minsum(ld a, ld b)
{
    ld aa = fabsl(a), ab = fabsl(b);
    ld m = aa < ab ? aa : ab;
    return ((a < 0) != (b < 0)) ? -m : m;
}

static ld f_comb(int f, ld a, ld b)
{
    ld s = f_minsum(a, b);
    if (f == RF_F_EXACT) s += log1pl(expl(-fabsl(a + b))) - log1pl(expl(-fabsl(a - b)));
    return s;
}

/* |x| when finite, else 0: an infinite LLR is exact in every implementation (the same rules make
 * it), so it adds no rounding to the error bound. */
static ld finite_abs(ld x)
{
    return isfinite(x) ? fabsl(x) : 0;
}

/* LLR of leaf i of a node with LLRs L (2^log2n of them) whose leaves' decided bits are u (u[0..i)
 * are read). scratch: 2^log2n long doubles plus 2^log2n bytes (xa) per level, from the caller.
 * With E (the LLRs' running error bounds in units of u, escratch like scratch) also *err, the
 * leaf's bound: a float implementation's leaf LLR on the same prefix is within u *err of it
 * (kernels/registry/polar.c derives the rules: g adds u |result|, minsum f takes the larger input
 * bound, exact f too plus its own roundings). */
static ld leaf_llr_err(const ld *L, const ld *E, unsigned log2n, const uint8_t *u, size_t i, int f, ld *scratch,
                       ld *escratch, uint8_t *xs, ld *err)
{
    if (log2n == 0) {
        if (err) *err = E[0];
        return L[0];
    }
    const size_t h = (size_t)1 << (log2n - 1);
    ld *c = scratch, *e = E ? escratch : NULL;
    if (i < h) {
        for (size_t j = 0; j < h; j++) {
            c[j] = f_comb(f, L[j], L[j + h]);
            if (!e) continue;
            e[j] = fmaxl(E[j], E[j + h]) + (f == RF_F_EXACT ? 2 * finite_abs(c[j]) + 8 : 0);
        }
        return leaf_llr_err(c, e, log2n - 1, u, i, f, scratch + h, e ? escratch + h : NULL, xs + h, err);
    }
    uint8_t *xa = xs;
    ora_polar_encode(log2n - 1, u, xa);
    for (size_t j = 0; j < h; j++) {
        c[j] = xa[j] ? L[j + h] - L[j] : L[j + h] + L[j];
        if (e) e[j] = E[j] + E[j + h] + finite_abs(c[j]);
    }
    return leaf_llr_err(c, e, log2n - 1, u + h, i - h, f, scratch + h, e ? escratch + h : NULL, xs + h, err);
}

static ld leaf_llr(const ld *L, unsigned log2n, const uint8_t *u, size_t i, int f, ld *scratch, uint8_t *xs)
{
    return leaf_llr_err(L, NULL, log2n, u, i, f, scratch, NULL, xs, NULL);
}

typedef struct work {
    ld *chan, *scratch, *echan, *escratch;
    uint8_t *xs;
} work;

static void work_free(work *w)
{
    free(w->chan);
    free(w->scratch);
    free(w->echan);
    free(w->escratch);
    free(w->xs);
}

static int work_init(work *w, unsigned log2n, const float *llr)
{
    const size_t n = (size_t)1 << log2n;
    w->chan = malloc(n * sizeof(ld));
    w->scratch = malloc(n * sizeof(ld));
    w->echan = calloc(n, sizeof(ld)); /* the channel LLRs are exact */
    w->escratch = malloc(n * sizeof(ld));
    w->xs = malloc(n);
    if (!w->chan || !w->scratch || !w->echan || !w->escratch || !w->xs) {
        work_free(w);
        return -1;
    }
    for (size_t j = 0; j < n; j++) w->chan[j] = llr[j];
    return 0;
}

long double ora_polar_leaf(unsigned log2n, int f, const float *llr, const uint8_t *u, size_t i, long double *err)
{
    work w;
    if (work_init(&w, log2n, llr)) return NAN;
    const ld l = leaf_llr_err(w.chan, w.echan, log2n, u, i, f, w.scratch, w.escratch, w.xs, err);
    work_free(&w);
    return l;
}

long double ora_polar_sc(unsigned log2n, const uint8_t *frozen, int f, const float *llr, uint8_t *msg)
{
    const size_t n = (size_t)1 << log2n;
    work w;
    uint8_t *u = calloc(n, 1);
    if (!u || work_init(&w, log2n, llr)) {
        free(u);
        return NAN;
    }
    ld margin = INFINITY;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        ld lam = leaf_llr(w.chan, log2n, u, i, f, w.scratch, w.xs);
        if (frozen[i]) continue;
        u[i] = lam < 0;
        msg[k++] = u[i];
        if (!isnan(lam) && fabsl(lam) < margin) margin = fabsl(lam);
    }
    work_free(&w);
    free(u);
    return margin;
}

/* Candidate ranking: metric with NaN last, then candidate number. */
static int before(ld ma, int ca, ld mb, int cb)
{
    if (isnan(ma) || isnan(mb)) return isnan(ma) == isnan(mb) ? ca < cb : !isnan(ma);
    if (ma != mb) return ma < mb;
    return ca < cb;
}

/* A path's weight in the near-tie bound (oracle.h ora_scl_tie): the error bounds of its penalised
 * or near leaves (esum) plus, per such leaf, the metric (the bound on each addition's rounding). */
static ld weight(unsigned count, ld esum, ld metric)
{
    return esum + (ld)count * (isfinite(metric) ? metric : 0);
}

/* tie / scale, +inf for a positive tie over a zero scale. */
static ld tie_ratio(ld tie, ld scale)
{
    return scale > 0 ? tie / scale : tie > 0 ? INFINITY : 0;
}

/* |b - a| of two metrics: NaN when either is NaN (NaN ranks by position, not by value), 0 for
 * inf - inf (equal). */
static ld metric_gap(ld a, ld b)
{
    if (isnan(a) || isnan(b)) return NAN;
    const ld g = fabsl(b - a);
    return isnan(g) ? 0 : g;
}

/* Records the pair of metrics a and b whose swap needs |b - a| <= tau u scale. */
static void note_pair(ld a, ld b, ld scale, ora_scl_tie *t)
{
    const ld g = metric_gap(a, b);
    if (!isnan(g) && tie_ratio(g, scale) < tie_ratio(t->tie, t->scale)) {
        t->tie = g;
        t->scale = scale;
    }
}

void ora_polar_scl_row_ties(unsigned list, const long double *metrics, const ora_scl_tie *t, double *row_tie,
                            double *row_scale)
{
    for (unsigned r = 0; r < list; r++) {
        row_tie[r] = (double)t->tie;
        row_scale[r] = (double)t->scale;
        for (unsigned i = 0; i <= r; i++)
            for (unsigned j = r > i ? r : i + 1; j < list; j++) {
                const ld g = metric_gap(metrics[i], metrics[j]);
                const double w = (double)(t->weights[i] + t->weights[j]);
                if (!isnan(g) && tie_ratio((double)g, w) < tie_ratio(row_tie[r], row_scale[r])) {
                    row_tie[r] = (double)g;
                    row_scale[r] = w;
                }
            }
    }
}

/* Records a decision's boundary gap (last kept vs first pruned, best vs second) for the reports. */
static void note_boundary(ld a, ld b, const unsigned *count, int ncount, ora_scl_tie *t)
{
    const ld g = metric_gap(a, b);
    if (isnan(g)) return;
    if (g < t->gap_min) t->gap_min = g;
    for (int c = 0; c < ncount; c++)
        if (count[c] > t->count_max) t->count_max = count[c];
}

/* SCL of one frame: msg gets the best path, or (msg == NULL) paths gets every path ranked. */
static int scl_frame(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr, uint8_t *msg,
                     uint8_t *paths, long double *metrics, ora_scl_tie *t)
{
    const size_t n = (size_t)1 << log2n;
    work w;
    uint8_t *u = malloc(2 * ORA_MAX_L * n); /* two generations of paths */
    if (!u || work_init(&w, log2n, llr)) {
        free(u);
        return -1;
    }
    uint8_t *cur = u, *nxt = u + ORA_MAX_L * n;
    ld pm[ORA_MAX_L], npm[ORA_MAX_L], cm[2 * ORA_MAX_L], lam[ORA_MAX_L];
    /* per path (and candidate): leaves penalised or within near of 0 (the bound's count) */
    unsigned pc[ORA_MAX_L], npc[ORA_MAX_L], cc[2 * ORA_MAX_L];
    /* per path (and candidate): the sum of those leaves' error bounds; lerr the leaves' own */
    ld pe[ORA_MAX_L], npe[ORA_MAX_L], ce[2 * ORA_MAX_L], lerr[ORA_MAX_L];
    int P = 1, rank_of[2 * ORA_MAX_L];
    pm[0] = 0;
    pc[0] = 0;
    pe[0] = 0;
    memset(cur, 0, n);
    t->tie = t->gap_min = INFINITY;
    t->scale = 0;
    t->count_max = 0;
    for (size_t i = 0; i < n; i++) {
        for (int p = 0; p < P; p++)
            lam[p] = leaf_llr_err(w.chan, w.echan, log2n, cur + p * n, i, f, w.scratch, w.escratch, w.xs, &lerr[p]);
        if (frozen[i]) {
            for (int p = 0; p < P; p++) {
                if (lam[p] < 0) pm[p] += fabsl(lam[p]);
                const bool counted = lam[p] < 0 || fabsl(lam[p]) <= t->near * lerr[p];
                pc[p] += counted;
                pe[p] += counted ? lerr[p] : 0;
                cur[p * n + i] = 0;
            }
            continue;
        }
        const int C = 2 * P;
        for (int p = 0; p < P; p++) {
            cm[2 * p] = pm[p];
            cm[2 * p + 1] = pm[p] + fabsl(lam[p]);
            const bool near = fabsl(lam[p]) <= t->near * lerr[p];
            cc[2 * p] = pc[p] + near;
            ce[2 * p] = pe[p] + (near ? lerr[p] : 0);
            cc[2 * p + 1] = pc[p] + 1;
            ce[2 * p + 1] = pe[p] + lerr[p];
        }
        for (int c = 0; c < C; c++) {
            rank_of[c] = 0;
            for (int q = 0; q < C; q++) rank_of[c] += q != c && before(cm[q], q, cm[c], c);
        }
        if (C > (int)list) {
            int last = -1, first_out = -1;
            for (int c = 0; c < C; c++) {
                if (rank_of[c] == (int)list - 1) last = c;
                if (rank_of[c] == (int)list) first_out = c;
            }
            note_boundary(cm[last], cm[first_out], cc, C, t);
            /* the selection changes only if some kept a and pruned b swap: cm[b] - cm[a] <= their
             * errors, at most u (w_a + w_b) */
            for (int ka = 0; ka < C; ka++)
                for (int pb = 0; pb < C; pb++)
                    if (rank_of[ka] < (int)list && rank_of[pb] >= (int)list)
                        note_pair(cm[ka], cm[pb], weight(cc[ka], ce[ka], cm[ka]) + weight(cc[pb], ce[pb], cm[pb]), t);
        }
        int nn = 0;
        for (int c = 0; c < C; c++) {
            if (rank_of[c] >= (int)list) continue;
            const int p = c / 2;
            const uint8_t h = lam[p] < 0;
            memcpy(nxt + nn * n, cur + p * n, i);
            nxt[nn * n + i] = (c & 1) ? (uint8_t)(1 - h) : h;
            npc[nn] = cc[c];
            npe[nn] = ce[c];
            npm[nn++] = cm[c];
        }
        uint8_t *tmp = cur;
        cur = nxt;
        nxt = tmp;
        memcpy(pm, npm, (size_t)nn * sizeof *pm);
        memcpy(pc, npc, (size_t)nn * sizeof *pc);
        memcpy(pe, npe, (size_t)nn * sizeof *pe);
        P = nn;
    }
    if (!msg) {
        /* every final path in rank order with its metric (the selection gaps only in tie) */
        size_t K = 0;
        for (size_t i = 0; i < n; i++) K += !frozen[i];
        for (int p = 0; p < P; p++) {
            int r = 0;
            for (int q = 0; q < P; q++) r += q != p && before(pm[q], q, pm[p], p);
            metrics[r] = pm[p];
            t->weights[r] = weight(pc[p], pe[p], pm[p]);
            size_t k = 0;
            for (size_t i = 0; i < n; i++)
                if (!frozen[i]) paths[(size_t)r * K + k++] = cur[p * n + i];
            if (pc[p] > t->count_max) t->count_max = pc[p];
        }
        for (unsigned r = (unsigned)P; r < list; r++) metrics[r] = t->weights[r] = NAN;
        memset(paths + (size_t)P * K, 0xff, (list - (size_t)P) * K);
        work_free(&w);
        free(u);
        return 0;
    }
    int best = 0, second = -1;
    for (int p = 1; p < P; p++) {
        if (before(pm[p], p, pm[best], best)) {
            second = best;
            best = p;
        } else if (second < 0 || before(pm[p], p, pm[second], second)) {
            second = p;
        }
    }
    if (second >= 0) {
        /* the output changes only if some x swaps with best */
        note_boundary(pm[best], pm[second], pc, P, t);
        for (int x = 0; x < P; x++)
            if (x != best)
                note_pair(pm[best], pm[x], weight(pc[best], pe[best], pm[best]) + weight(pc[x], pe[x], pm[x]), t);
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!frozen[i]) msg[k++] = cur[best * n + i];
    work_free(&w);
    free(u);
    return 0;
}

int ora_polar_scl(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr,
                  uint8_t *msg, ora_scl_tie *t)
{
    return scl_frame(log2n, frozen, list, f, llr, msg, NULL, NULL, t);
}

int ora_polar_scl_paths(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr,
                        uint8_t *paths, long double *metrics, ora_scl_tie *t)
{
    return scl_frame(log2n, frozen, list, f, llr, NULL, paths, metrics, t);
}

long double ora_polar_ml(unsigned log2n, const uint8_t *frozen, const float *llr, uint8_t *msg)
{
    const size_t n = (size_t)1 << log2n;
    size_t k = 0, info[16];
    for (size_t i = 0; i < n; i++)
        if (!frozen[i]) {
            if (k == 16) return NAN;
            info[k++] = i;
        }
    uint8_t *u = calloc(n, 1), *x = malloc(n);
    if (!u || !x) {
        free(u);
        free(x);
        return NAN;
    }
    ld best = -INFINITY, second = -INFINITY;
    uint32_t arg = 0;
    int found = 0;
    for (uint32_t m = 0; m < (1u << k); m++) {
        for (size_t j = 0; j < k; j++) u[info[j]] = (m >> j) & 1;
        ora_polar_encode(log2n, u, x);
        ld corr = 0;
        for (size_t j = 0; j < n; j++) corr += x[j] ? -(ld)llr[j] : (ld)llr[j];
        if (isnan(corr)) continue;
        if (!found || corr > best) {
            if (found) second = best;
            best = corr;
            arg = m;
            found = 1;
        } else if (corr > second) {
            second = corr;
        }
    }
    for (size_t j = 0; j < k; j++) msg[j] = (arg >> j) & 1;
    free(u);
    free(x);
    if (k == 0) return INFINITY;
    return best - second;
}
