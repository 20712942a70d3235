/* Oracles of the pMoE kernels (oracle_pmoe.h): the seed's formulas in long double with compensated
 * sums, each output with its error scale S. Written from the formulas, not from ref/. */
#include <math.h>
#include <stdlib.h>

#include "oracle_moe_acc.h"
#include "oracle_pmoe.h"
#include "refast/pmoe.h"

typedef long double ld;

/* ---- routing ---------------------------------------------------------------------------------- */

/* <u, v> over d entries, compensated, and sum |u v|. */
static ld dot(const double *u, const double *v, size_t d, ld *abs_sum)
{
    ora_acc s = ora_acc_zero();
    ld m = 0;
    for (size_t p = 0; p < d; p++) {
        const ld t = (ld)u[p] * (ld)v[p];
        ora_acc_add(&s, t);
        m += fabsl(t);
    }
    *abs_sum = m;
    return ora_acc_value(&s);
}

void ora_pmoe_route(const double *x, size_t B, size_t n, size_t d, const double *w, size_t k,
                    long double *g, long double *scale)
{
    for (size_t b = 0; b < B; b++)
        for (size_t j = 0; j < n; j++)
            for (size_t s = 0; s < k; s++) {
                const size_t o = (b * k + s) * n + j;
                g[o] = dot(w + s * d, x + (b * n + j) * d, d, &scale[o]);
            }
}

/* ---- top-l ------------------------------------------------------------------------------------- */

typedef struct ranked {
    ld v;
    size_t key, j;
} ranked;

/* Sort order: larger value first, NaN after every number, then the smaller tie key. */
static int by_rank(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    const int na = isnan(a->v), nb = isnan(b->v);
    if (na != nb) return na ? 1 : -1;
    if (!na && a->v != b->v) return a->v > b->v ? -1 : 1;
    return a->key < b->key ? -1 : (a->key > b->key);
}

static int by_index(const void *pa, const void *pb)
{
    const int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    return (a > b) - (a < b);
}

int ora_pmoe_topl(const long double *g, const long double *g_scale, size_t rows, size_t n, size_t l,
                  int tie, size_t grid_w, int32_t *idx, long double *margin,
                  long double *margin_scale, long double *flip)
{
    if (l < 1 || l > n) return -1;
    if (tie == RF_PMOE_TIE_COL && (grid_w < 1 || n % grid_w)) return -1;
    ranked *order = malloc(n * sizeof *order);
    unsigned char *in = malloc(n);
    if (!order || !in) {
        free(order);
        free(in);
        return -1;
    }
    const size_t grid_h = tie == RF_PMOE_TIE_COL ? n / grid_w : 0;
    for (size_t r = 0; r < rows; r++) {
        const ld *v = g + r * n;
        for (size_t j = 0; j < n; j++) {
            /* column-major position of patch (R, C) = (j / grid_w, j % grid_w) */
            const size_t key = tie == RF_PMOE_TIE_COL ? (j % grid_w) * grid_h + j / grid_w : j;
            order[j] = (ranked){v[j], key, j};
            in[j] = 0;
        }
        qsort(order, n, sizeof *order, by_rank);
        int32_t *out = idx + r * l;
        for (size_t t = 0; t < l; t++) {
            out[t] = (int32_t)order[t].j;
            in[order[t].j] = 1;
        }
        qsort(out, l, sizeof *out, by_index);
        if (margin) margin[r] = l == n ? INFINITY : order[l - 1].v - order[l].v;
        if (margin_scale) margin_scale[r] = l == n ? 0 : fabsl(order[l - 1].v) + fabsl(order[l].v);
        if (flip) {
            ld best = INFINITY;
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < n; j++) {
                    if (!in[i] || in[j] || !(v[i] != v[j])) continue;
                    const ld sc = g_scale ? g_scale[r * n + i] + g_scale[r * n + j] : 0;
                    const ld ratio = sc > 0 ? (v[i] - v[j]) / sc : INFINITY;
                    if (ratio < best || isnan(ratio)) best = ratio;
                }
            flip[r] = best;
        }
    }
    free(order);
    free(in);
    return 0;
}

/* ---- gate -------------------------------------------------------------------------------------- */

/* The gate's probabilities P_i for every i of the summed set (all n for WRN, else the selected):
 * prob[j] for j < n (0 outside the set) and its relative-error factor 1 + |g_j - m| + max |g - m|. */
static void probabilities(const double *v, const int32_t *sel, size_t n, size_t l, int mode, ld *prob,
                          ld *factor)
{
    const int wrn = mode == RF_PMOE_GATE_WRN;
    const size_t count = wrn ? n : l;
    for (size_t j = 0; j < n; j++) prob[j] = factor[j] = 0;
    ld m = -INFINITY;
    for (size_t i = 0; i < count; i++) {
        const ld gi = v[wrn ? i : (size_t)sel[i]];
        if (gi > m || isnan(gi)) m = gi;
    }
    ora_acc sum = ora_acc_zero();
    ld spread = 0;
    for (size_t i = 0; i < count; i++) {
        const ld gi = v[wrn ? i : (size_t)sel[i]];
        ora_acc_add(&sum, expl(gi - m));
        spread = fmaxl(spread, fabsl(gi - m));
    }
    const ld total = ora_acc_value(&sum);
    for (size_t i = 0; i < count; i++) {
        const size_t j = wrn ? i : (size_t)sel[i];
        prob[j] = expl((ld)v[j] - m) / total;
        factor[j] = 1 + fabsl((ld)v[j] - m) + spread;
    }
}

void ora_pmoe_gate(const double *g, const int32_t *idx, size_t rows, size_t n, size_t l, int mode,
                   long double *G, long double *scale)
{
    ld *prob = malloc((n ? n : 1) * sizeof *prob), *factor = malloc((n ? n : 1) * sizeof *factor);
    for (size_t r = 0; r < rows; r++) {
        const int32_t *sel = idx + r * l;
        if (mode == RF_PMOE_GATE_ONE || !prob || !factor) {
            for (size_t t = 0; t < l; t++) {
                G[r * l + t] = mode == RF_PMOE_GATE_ONE ? 1 : NAN;
                scale[r * l + t] = 1;
            }
            continue;
        }
        probabilities(g + r * n, sel, n, l, mode, prob, factor);
        for (size_t t = 0; t < l; t++) {
            G[r * l + t] = prob[sel[t]];
            scale[r * l + t] = prob[sel[t]] * factor[sel[t]];
        }
    }
    free(prob);
    free(factor);
}

void ora_pmoe_gate_bwd(const double *g, const int32_t *idx, const double *dG, size_t rows, size_t n,
                       size_t l, int mode, long double *dg, long double *dg_scale)
{
    ld *prob = malloc((n ? n : 1) * sizeof *prob), *factor = malloc((n ? n : 1) * sizeof *factor);
    ld *up = malloc((n ? n : 1) * sizeof *up);
    for (size_t r = 0; r < rows; r++) {
        ld *out = dg + r * n, *sc = dg_scale + r * n;
        for (size_t i = 0; i < n; i++) out[i] = sc[i] = 0;
        if (mode == RF_PMOE_GATE_ONE) continue;
        if (!prob || !factor || !up) {
            for (size_t i = 0; i < n; i++) out[i] = NAN;
            continue;
        }
        const int32_t *sel = idx + r * l;
        probabilities(g + r * n, sel, n, l, mode, prob, factor);
        /* dL/dg_i = sum_j dL/dP_j dP_j/dg_i with dP_j/dg_i = P_j ([i == j] - P_i) over the set. */
        for (size_t i = 0; i < n; i++) up[i] = 0;
        for (size_t t = 0; t < l; t++) up[sel[t]] = dG[r * l + t];
        ora_acc mu = ora_acc_zero();
        ld mu_abs = 0;
        for (size_t i = 0; i < n; i++) {
            ora_acc_add(&mu, prob[i] * up[i]);
            mu_abs += fabsl(prob[i] * up[i]);
        }
        const ld mean = ora_acc_value(&mu);
        for (size_t i = 0; i < n; i++) {
            if (prob[i] == 0 && factor[i] == 0) continue; /* outside the set (SOFTMAX, unselected) */
            out[i] = prob[i] * (up[i] - mean);
            sc[i] = prob[i] * factor[i] * (fabsl(up[i]) + mu_abs);
        }
    }
    free(prob);
    free(factor);
    free(up);
}

void ora_pmoe_route_bwd(const double *x, size_t B, size_t n, size_t d, const double *dg, size_t k,
                        long double *dw, long double *dw_scale)
{
    for (size_t s = 0; s < k; s++)
        for (size_t p = 0; p < d; p++) {
            ora_acc acc = ora_acc_zero();
            ld m = 0;
            for (size_t b = 0; b < B; b++)
                for (size_t j = 0; j < n; j++) {
                    const ld t = (ld)dg[(b * k + s) * n + j] * (ld)x[(b * n + j) * d + p];
                    ora_acc_add(&acc, t);
                    m += fabsl(t);
                }
            dw[s * d + p] = ora_acc_value(&acc);
            dw_scale[s * d + p] = m;
        }
}
