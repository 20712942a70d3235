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

/* LLR of leaf i of a node with LLRs L (2^log2n of them) whose leaves' decided bits are u (u[0..i)
 * are read). scratch: 2^log2n long doubles plus 2^log2n bytes (xa) per level, from the caller. */
static ld leaf_llr(const ld *L, unsigned log2n, const uint8_t *u, size_t i, int f, ld *scratch,
                   uint8_t *xs)
{
    if (log2n == 0) return L[0];
    const size_t h = (size_t)1 << (log2n - 1);
    ld *c = scratch;
    if (i < h) {
        for (size_t j = 0; j < h; j++) c[j] = f_comb(f, L[j], L[j + h]);
        return leaf_llr(c, log2n - 1, u, i, f, scratch + h, xs + h);
    }
    uint8_t *xa = xs;
    ora_polar_encode(log2n - 1, u, xa);
    for (size_t j = 0; j < h; j++) c[j] = xa[j] ? L[j + h] - L[j] : L[j + h] + L[j];
    return leaf_llr(c, log2n - 1, u + h, i - h, f, scratch + h, xs + h);
}

typedef struct work {
    ld *chan, *scratch;
    uint8_t *xs;
} work;

static int work_init(work *w, unsigned log2n, const float *llr)
{
    const size_t n = (size_t)1 << log2n;
    w->chan = malloc(n * sizeof(ld));
    w->scratch = malloc(n * sizeof(ld));
    w->xs = malloc(n);
    if (!w->chan || !w->scratch || !w->xs) {
        free(w->chan);
        free(w->scratch);
        free(w->xs);
        return -1;
    }
    for (size_t j = 0; j < n; j++) w->chan[j] = llr[j];
    return 0;
}

static void work_free(work *w)
{
    free(w->chan);
    free(w->scratch);
    free(w->xs);
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

static void note_gap(ld a, ld b, ld *margin, ld *mmax)
{
    if (isnan(a) || isnan(b)) return;
    ld g = fabsl(b - a);
    if (isnan(g)) g = 0; /* inf - inf: equal metrics */
    if (g < *margin) *margin = g;
    if (isfinite(a) && a > *mmax) *mmax = a;
    if (isfinite(b) && b > *mmax) *mmax = b;
}

/* SCL of one frame: msg gets the best path, or (msg == NULL) paths gets every path ranked. */
static int scl_frame(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr, uint8_t *msg,
                     uint8_t *paths, long double *metrics, long double *margin, long double *mmax)
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
    int P = 1, rank_of[2 * ORA_MAX_L];
    pm[0] = 0;
    memset(cur, 0, n);
    *margin = INFINITY;
    *mmax = 0;
    for (size_t i = 0; i < n; i++) {
        for (int p = 0; p < P; p++) lam[p] = leaf_llr(w.chan, log2n, cur + p * n, i, f, w.scratch, w.xs);
        if (frozen[i]) {
            for (int p = 0; p < P; p++) {
                if (lam[p] < 0) pm[p] += fabsl(lam[p]);
                cur[p * n + i] = 0;
            }
            continue;
        }
        const int C = 2 * P;
        for (int p = 0; p < P; p++) {
            cm[2 * p] = pm[p];
            cm[2 * p + 1] = pm[p] + fabsl(lam[p]);
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
            note_gap(cm[last], cm[first_out], margin, mmax);
        }
        int nn = 0;
        for (int c = 0; c < C; c++) {
            if (rank_of[c] >= (int)list) continue;
            const int p = c / 2;
            const uint8_t h = lam[p] < 0;
            memcpy(nxt + nn * n, cur + p * n, i);
            nxt[nn * n + i] = (c & 1) ? (uint8_t)(1 - h) : h;
            npm[nn++] = cm[c];
        }
        uint8_t *t = cur;
        cur = nxt;
        nxt = t;
        memcpy(pm, npm, (size_t)nn * sizeof *pm);
        P = nn;
    }
    if (!msg) {
        /* every final path in rank order with its metric (the selection gaps only in margin) */
        size_t K = 0;
        for (size_t i = 0; i < n; i++) K += !frozen[i];
        for (int p = 0; p < P; p++) {
            int r = 0;
            for (int q = 0; q < P; q++) r += q != p && before(pm[q], q, pm[p], p);
            metrics[r] = pm[p];
            size_t k = 0;
            for (size_t i = 0; i < n; i++)
                if (!frozen[i]) paths[(size_t)r * K + k++] = cur[p * n + i];
            if (isfinite(pm[p]) && pm[p] > *mmax) *mmax = pm[p];
        }
        for (unsigned r = (unsigned)P; r < list; r++) metrics[r] = NAN;
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
    if (second >= 0) note_gap(pm[best], pm[second], margin, mmax);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!frozen[i]) msg[k++] = cur[best * n + i];
    work_free(&w);
    free(u);
    return 0;
}

int ora_polar_scl(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr,
                  uint8_t *msg, long double *margin, long double *mmax)
{
    return scl_frame(log2n, frozen, list, f, llr, msg, NULL, NULL, margin, mmax);
}

int ora_polar_scl_paths(unsigned log2n, const uint8_t *frozen, unsigned list, int f, const float *llr,
                        uint8_t *paths, long double *metrics, long double *margin, long double *mmax)
{
    return scl_frame(log2n, frozen, list, f, llr, NULL, paths, metrics, margin, mmax);
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
