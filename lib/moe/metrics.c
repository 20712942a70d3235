/* Metrics of the MoE experiments (refast/moe_pipeline.h): assignment solvers (Hungarian, bottleneck),
 * E_reg / RegressorFit, GatingFit, E_gating and E(A, W) with the re-referenced gating truth. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "moe/pipeline.h"

#define MAXN 64

double rf_mp_hungarian(const double *cost, unsigned n, unsigned *perm)
{
    /* Shortest augmenting paths with row/column potentials u, v (1-based, column 0 is the virtual
     * start): after adding row i the assignment of rows 1..i is optimal for the reduced costs. */
    double u[MAXN + 1] = {0}, v[MAXN + 1] = {0}, minv[MAXN + 1];
    unsigned p[MAXN + 1] = {0}, way[MAXN + 1] = {0};
    bool used[MAXN + 1];
    if (n == 0 || n > MAXN) return NAN;
    for (unsigned i = 1; i <= n; i++) {
        p[0] = i;
        unsigned j0 = 0;
        for (unsigned j = 0; j <= n; j++) minv[j] = INFINITY, used[j] = false;
        do {
            used[j0] = true;
            const unsigned i0 = p[j0];
            double delta = INFINITY;
            unsigned j1 = 0;
            for (unsigned j = 1; j <= n; j++) {
                if (used[j]) continue;
                const double cur = cost[(size_t)(i0 - 1) * n + (j - 1)] - u[i0] - v[j];
                if (cur < minv[j]) minv[j] = cur, way[j] = j0;
                if (minv[j] < delta) delta = minv[j], j1 = j;
            }
            for (unsigned j = 0; j <= n; j++) {
                if (used[j]) u[p[j]] += delta, v[j] -= delta;
                else minv[j] -= delta;
            }
            j0 = j1;
        } while (p[j0] != 0);
        do {
            const unsigned j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
        } while (j0);
    }
    double total = 0;
    for (unsigned j = 1; j <= n; j++) {
        perm[p[j] - 1] = j - 1;
        total += cost[(size_t)(p[j] - 1) * n + (j - 1)];
    }
    return total;
}

/* ---- bottleneck assignment ---- */
static bool kuhn_try(unsigned i, unsigned n, const bool *ok, bool *seen, int *match_col)
{
    for (unsigned j = 0; j < n; j++) {
        if (!ok[(size_t)i * n + j] || seen[j]) continue;
        seen[j] = true;
        if (match_col[j] < 0 || kuhn_try((unsigned)match_col[j], n, ok, seen, match_col)) {
            match_col[j] = (int)i;
            return true;
        }
    }
    return false;
}

/* A perfect matching using only entries >= thr; fills perm when found. */
static bool perfect_at(const double *score, unsigned n, double thr, unsigned *perm)
{
    bool ok[MAXN * MAXN], seen[MAXN];
    int match_col[MAXN];
    for (size_t e = 0; e < (size_t)n * n; e++) ok[e] = score[e] >= thr;
    for (unsigned j = 0; j < n; j++) match_col[j] = -1;
    for (unsigned i = 0; i < n; i++) {
        memset(seen, 0, sizeof seen);
        if (!kuhn_try(i, n, ok, seen, match_col)) return false;
    }
    for (unsigned j = 0; j < n; j++) perm[match_col[j]] = j;
    return true;
}

typedef struct enum_state {
    unsigned n;
    unsigned cur[MAXN];
    bool used[MAXN];
} enum_state;

static void maxmin_rec(enum_state *s, const double *score, unsigned i, double curmin, double *best, unsigned *perm)
{
    if (curmin <= *best) return; /* cannot improve */
    if (i == s->n) {
        *best = curmin;
        memcpy(perm, s->cur, s->n * sizeof *perm);
        return;
    }
    for (unsigned j = 0; j < s->n; j++) {
        if (s->used[j]) continue;
        s->used[j] = true;
        s->cur[i] = j;
        maxmin_rec(s, score, i + 1, fmin(curmin, score[(size_t)i * s->n + j]), best, perm);
        s->used[j] = false;
    }
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double rf_mp_maxmin_assign(const double *score, unsigned n, unsigned *perm)
{
    if (n == 0 || n > MAXN) return NAN;
    if (n <= RF_MP_EXHAUSTIVE_K) {
        enum_state s = {.n = n};
        double best = -INFINITY;
        maxmin_rec(&s, score, 0, INFINITY, &best, perm);
        return best;
    }
    /* the optimum is one of the entries: binary search over the sorted distinct values for the
     * largest threshold that still admits a perfect matching */
    double vals[MAXN * MAXN];
    const size_t nn = (size_t)n * n;
    memcpy(vals, score, nn * sizeof *vals);
    qsort(vals, nn, sizeof *vals, cmp_double);
    size_t lo = 0, hi = nn - 1; /* vals[lo] always feasible (every entry >= the minimum) */
    while (lo < hi) {
        const size_t mid = lo + (hi - lo + 1) / 2;
        unsigned tmp[MAXN];
        if (perfect_at(score, n, vals[mid], tmp)) lo = mid;
        else hi = mid - 1;
    }
    perfect_at(score, n, vals[lo], perm);
    return vals[lo];
}

/* ---- fits ---- */
static double row_norm(const double *r, unsigned d)
{
    double s = 0;
    for (unsigned t = 0; t < d; t++) s += r[t] * r[t];
    return sqrt(s);
}

static double abs_cos(const double *a, const double *b, unsigned d)
{
    const double na = row_norm(a, d), nb = row_norm(b, d);
    if (!(na > 0) || !(nb > 0)) return 0;
    double s = 0;
    for (unsigned t = 0; t < d; t++) s += a[t] * b[t];
    return fabs(s) / (na * nb);
}

double rf_mp_ereg(const double *A, const double *A_true, unsigned k, unsigned d, unsigned *perm)
{
    double score[MAXN * MAXN];
    unsigned p[MAXN];
    if (k == 0 || k > MAXN) return NAN;
    for (unsigned i = 0; i < k; i++)
        for (unsigned j = 0; j < k; j++) score[i * k + j] = abs_cos(A + (size_t)i * d, A_true + (size_t)j * d, d);
    const double fit = rf_mp_maxmin_assign(score, k, p);
    if (perm) memcpy(perm, p, k * sizeof *p);
    return 1.0 - fit;
}

double rf_mp_gating_fit(const double *w, const double *w_true, unsigned d) { return abs_cos(w, w_true, d); }

double rf_mp_egating(const double *W, const double *W_true, unsigned k, unsigned d, const unsigned *perm)
{
    double worst = 1, ref[RF_MOE_MAX_D];
    if (k < 2 || d > RF_MOE_MAX_D) return NAN;
    const double *wr = W_true + (size_t)perm[k - 1] * d;
    for (unsigned j = 0; j + 1 < k; j++) {
        const unsigned c = perm[j];
        const double *wc = W_true + (size_t)c * d;
        for (unsigned t = 0; t < d; t++)
            ref[t] = (c == k - 1 ? 0.0 : wc[t]) - (perm[k - 1] == k - 1 ? 0.0 : wr[t]);
        worst = fmin(worst, abs_cos(W + (size_t)j * d, ref, d));
    }
    return 1.0 - worst;
}

/* ---- E(A, W) ---- */
typedef struct eaw_ctx {
    unsigned k;
    const double *DA; /* k x k: ||a_j - a*_c||^2 */
    const double *DW; /* k x k x k: [r][j][c] = ||w_j - (w*_c - w*_r)||^2, j < k-1 */
    enum_state s;
    double best;
} eaw_ctx;

static double eaw_value(const eaw_ctx *c, const unsigned *p)
{
    const unsigned k = c->k, r = p[k - 1];
    double sa = 0, sw = 0;
    for (unsigned j = 0; j < k; j++) sa += c->DA[j * k + p[j]];
    for (unsigned j = 0; j + 1 < k; j++) sw += c->DW[((size_t)r * k + j) * k + p[j]];
    return sqrt(sa) + sqrt(sw);
}

static void eaw_rec(eaw_ctx *c, unsigned i)
{
    if (i == c->k) {
        c->best = fmin(c->best, eaw_value(c, c->s.cur));
        return;
    }
    for (unsigned j = 0; j < c->k; j++) {
        if (c->s.used[j]) continue;
        c->s.used[j] = true;
        c->s.cur[i] = j;
        eaw_rec(c, i + 1);
        c->s.used[j] = false;
    }
}

double rf_mp_eaw(const double *A, const double *W, const double *A_true, const double *W_true, unsigned k,
                 unsigned d)
{
    if (k < 2 || k > RF_MP_MAX_K) return NAN;
    double *DA = malloc((size_t)k * k * sizeof *DA), *DW = malloc((size_t)k * k * k * sizeof *DW);
    if (!DA || !DW) {
        free(DA);
        free(DW);
        return NAN;
    }
    /* the truth's last row is zero by convention whatever W_true holds there */
#define WT(c, t) ((c) == k - 1 ? 0.0 : W_true[(size_t)(c) * d + (t)])
    for (unsigned j = 0; j < k; j++)
        for (unsigned c = 0; c < k; c++) {
            double s = 0;
            for (unsigned t = 0; t < d; t++) {
                const double e = A[(size_t)j * d + t] - A_true[(size_t)c * d + t];
                s += e * e;
            }
            DA[j * k + c] = s;
        }
    for (unsigned r = 0; r < k; r++)
        for (unsigned j = 0; j < k; j++)
            for (unsigned c = 0; c < k; c++) {
                double s = 0;
                if (j + 1 < k)
                    for (unsigned t = 0; t < d; t++) {
                        const double e = W[(size_t)j * d + t] - (WT(c, t) - WT(r, t));
                        s += e * e;
                    }
                DW[((size_t)r * k + j) * k + c] = s;
            }
#undef WT
    eaw_ctx c = {.k = k, .DA = DA, .DW = DW, .s = {.n = k}, .best = INFINITY};
    if (k <= RF_MP_EXHAUSTIVE_K) {
        eaw_rec(&c, 0);
    } else {
        /* fix the reference r = pi(k-1), assign the other rows by Hungarian on the squared form */
        double *cost = malloc((size_t)k * k * sizeof *cost);
        if (!cost) {
            free(DA);
            free(DW);
            return NAN;
        }
        for (unsigned r = 0; r < k; r++) {
            for (unsigned j = 0; j < k; j++)
                for (unsigned cc = 0; cc < k; cc++) {
                    double v = DA[j * k + cc] + DW[((size_t)r * k + j) * k + cc];
                    if (j == k - 1) v = cc == r ? DA[j * k + cc] : 1e300; /* row k-1 must take r */
                    else if (cc == r) v = 1e300;
                    cost[j * k + cc] = v;
                }
            unsigned p[RF_MP_MAX_K];
            rf_mp_hungarian(cost, k, p);
            c.best = fmin(c.best, eaw_value(&c, p));
        }
        free(cost);
    }
    free(DA);
    free(DW);
    return c.best;
}
