/* The pMoE reference kernels (ref/pmoe_*.c) against the long double oracle (oracle/pmoe*.c), in
 * float and double, kernel by kernel on the kernel's own inputs (the `sum` class |got - want| <=
 * tau u S with the tau of refast/pmoe.h; selections exact):
 *   - random shapes (n 1..20, d 1..40, B 0..5, k 1..4, h 1..5, l 1..n), the authors' shapes
 *     (n 16, d 784: joint k 8 h 5 l 6, separate k 2 h 20 l 2, CNN m 4);
 *   - ties (duplicated patches), blank (all-zero) patches, l = n, l = 1, huge (1e30) and tiny
 *     (1e-30) weights, both tie rules, every gating mode;
 *   - chained selection: top-l of the kernel's own g against the oracle's selection from the exact
 *     g: a difference is allowed only at a recognised near-tie (flip <= tau u, oracle_pmoe.h);
 *   - top-l on integer-valued rows (many ties) and with NaN, and a hand-worked tie example whose
 *     answer is written out below (not taken from the oracle).
 * Prints the largest measured ratio |got - want| / (u S) per kernel and precision. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_pmoe.h"
#include "pmoe_testutil.h"

static uint64_t rng = 0x7c15d0b2a41e9f63ull; /* this file's rf_test_* stream */

enum {
    K_ROUTE,
    K_TOPL_MARGIN,
    K_GATE,
    K_Z,
    K_C,
    K_F,
    K_LOSS_PER,
    K_LOSS,
    K_DLDF,
    K_DW,
    K_DG,
    K_GATE_BWD,
    K_ROUTE_BWD,
    K_ROUTER_F,
    K_ROUTER_LOSS,
    K_ROUTER_DW,
    K_SGD,
    K_COUNT
};
static const char *const kernel_label[K_COUNT] = {
    "route g", "topl margin", "gate G", "expert z", "expert c", "expert f", "logistic loss_per",
    "logistic loss", "logistic dldf", "expert_bwd dW", "expert_bwd dG", "gate_bwd dg", "route_bwd dw",
    "router f", "router loss", "router dw", "sgd"};
static judge_stat stats[2][K_COUNT];
static size_t chained_rows, chained_flips, chained_near_ties;

typedef struct pcase {
    const char *name;
    size_t B, n, d, k, h, l, grid_w;
    int tie, gating;
    double wscale;     /* scale of the routing and expert weights */
    double p_blank;    /* probability that a patch is all zero */
    double p_dup;      /* probability that a patch copies an earlier patch of its sample */
    int zero_neuron;   /* neuron 0 of every expert has all-zero weights: z = 0 on every patch, so
                          relu'(0) = 0 decides whether it gets a gradient */
} pcase;

static void gen_x(const pcase *c, double *x)
{
    const size_t n = c->n, d = c->d;
    for (size_t b = 0; b < c->B; b++)
        for (size_t j = 0; j < n; j++) {
            double *xj = x + (b * n + j) * d;
            const double u = rf_test_uniform(&rng, 0, 1);
            if (u < c->p_blank) {
                memset(xj, 0, d * sizeof *xj);
            } else if (j > 0 && u < c->p_blank + c->p_dup) {
                const size_t from = (size_t)rf_test_uniform(&rng, 0, (double)j);
                memcpy(xj, x + (b * n + from) * d, d * sizeof *xj);
            } else {
                /* pixel-like: half the entries exactly 0, the rest in (0, 1] in steps of 1/255 */
                for (size_t p = 0; p < d; p++)
                    xj[p] = rf_test_uniform(&rng, 0, 1) < 0.5 ? 0 : (double)(1 + (int)rf_test_uniform(&rng, 0, 255)) / 255;
            }
        }
}

static void gen_gauss(double *v, size_t count, double scale)
{
    for (size_t i = 0; i < count; i++) v[i] = scale * rf_test_gauss(&rng);
}

static size_t set_size(const pcase *c)
{
    return c->gating == RF_PMOE_GATE_WRN ? c->n : c->l;
}

/* One case at one precision: every kernel, each on the previous kernel's outputs. */
static void run_case(const pcase *c, const prec *pr)
{
    const size_t B = c->B, n = c->n, d = c->d, k = c->k, h = c->h, l = c->l;
    const size_t rows = B * k;
    judge_stat *st = stats[pr->f32 ? 0 : 1];
    char label[160];
    snprintf(label, sizeof label, "%s", c->name);

    double *x = NEW(double, B * n * d), *wg = NEW(double, k * d), *W = NEW(double, k * h * d);
    double *a = NEW(double, k * h);
    int8_t *y = NEW(int8_t, B);
    gen_x(c, x);
    gen_gauss(wg, k * d, c->wscale);
    gen_gauss(W, k * h * d, c->wscale);
    gen_gauss(a, k * h, 1);
    if (c->zero_neuron)
        for (size_t s = 0; s < k; s++) memset(W + s * h * d, 0, d * sizeof *W);
    for (size_t b = 0; b < B; b++) y[b] = rf_test_uniform(&rng, 0, 1) < 0.5 ? 1 : -1;
    round_to(pr, x, B * n * d);
    round_to(pr, wg, k * d);
    round_to(pr, W, k * h * d);
    round_to(pr, a, k * h);

    /* routing */
    double *g = NEW(double, rows * n);
    long double *want = NEW(long double, rows * n), *scale = NEW(long double, rows * n);
    run_route(pr, x, B, n, d, wg, k, g);
    ora_pmoe_route(x, B, n, d, wg, k, want, scale);
    judge(label, pr, g, want, scale, rows * n, rf_pmoe_tau_route(d), &st[K_ROUTE]);

    /* chained selection: the exact g's top-l and near-tie measure */
    int32_t *idx_true = NEW(int32_t, rows * l);
    long double *flip = NEW(long double, rows);
    CHECK(ora_pmoe_topl(want, scale, rows, n, l, c->tie, c->grid_w, idx_true, NULL, NULL, flip) == 0);

    /* top-l on the kernel's g: exact against the oracle on the same values */
    int32_t *idx = NEW(int32_t, rows * l), *idx_o = NEW(int32_t, rows * l);
    double *margin = NEW(double, rows);
    long double *gl = NEW(long double, rows * n), *mo = NEW(long double, rows), *ms = NEW(long double, rows);
    for (size_t i = 0; i < rows * n; i++) gl[i] = g[i];
    run_topl(pr, g, rows, n, l, c->tie, c->grid_w, idx, margin);
    CHECK(ora_pmoe_topl(gl, NULL, rows, n, l, c->tie, c->grid_w, idx_o, mo, ms, NULL) == 0);
    CHECKF(memcmp(idx, idx_o, rows * l * sizeof *idx) == 0, "%s [%s]: top-l indices differ from the oracle",
           label, pr->name);
    judge(label, pr, margin, mo, ms, rows, 1, &st[K_TOPL_MARGIN]);
    const double flip_bound = rf_pmoe_tau_route(d) * pr->u;
    for (size_t r = 0; r < rows; r++) {
        chained_rows++;
        if (flip[r] <= flip_bound) chained_near_ties++;
        if (memcmp(idx + r * l, idx_true + r * l, l * sizeof *idx) == 0) continue;
        chained_flips++;
        CHECKF(flip[r] <= flip_bound, "%s [%s] row %zu: selection differs from the exact g's away from a "
               "near-tie (flip %.3Lg > %.3g)", label, pr->name, r, flip[r], flip_bound);
    }

    /* gate */
    double *G = NEW(double, rows * l);
    long double *Gw = NEW(long double, rows * l), *Gs = NEW(long double, rows * l);
    run_gate(pr, g, idx, rows, n, l, c->gating, G);
    ora_pmoe_gate(g, idx, rows, n, l, c->gating, Gw, Gs);
    judge(label, pr, G, Gw, Gs, rows * l, c->gating == RF_PMOE_GATE_ONE ? 0 : rf_pmoe_tau_gate(set_size(c)),
          &st[K_GATE]);
    const double *Gin = c->gating == RF_PMOE_GATE_ONE ? NULL : G;

    /* expert forward */
    const size_t nz = rows * l * h, nc = rows * l;
    double *z = NEW(double, nz), *cc = NEW(double, nc), *f = NEW(double, B);
    long double *zw = NEW(long double, nz), *zs = NEW(long double, nz), *cw = NEW(long double, nc);
    long double *cs = NEW(long double, nc), *fw = NEW(long double, B), *fs = NEW(long double, B);
    double sc = 1.0 / (double)n;
    round_to(pr, &sc, 1);
    run_expert_fwd(pr, x, B, n, d, idx, Gin, k, l, W, a, h, sc, z, cc, f);
    ora_pmoe_expert_fwd(x, B, n, d, idx, Gin, k, l, W, a, h, sc, zw, zs, cw, cs, fw, fs);
    judge(label, pr, z, zw, zs, nz, rf_pmoe_tau_expert_z(d), &st[K_Z]);
    judge(label, pr, cc, cw, cs, nc, rf_pmoe_tau_expert_f(d, h, k, l), &st[K_C]);
    judge(label, pr, f, fw, fs, B, rf_pmoe_tau_expert_f(d, h, k, l), &st[K_F]);

    /* logistic loss */
    double *lp = NEW(double, B), *dldf = NEW(double, B), loss = 0;
    long double *lpw = NEW(long double, B), *lps = NEW(long double, B), *dw_ = NEW(long double, B);
    long double *ds_ = NEW(long double, B), lw = 0, ls = 0;
    run_logistic(pr, f, y, B, lp, &loss, dldf);
    ora_pmoe_logistic(f, y, B, lpw, lps, &lw, &ls, dw_, ds_);
    judge(label, pr, lp, lpw, lps, B, 8, &st[K_LOSS_PER]);
    judge(label, pr, &loss, &lw, &ls, 1, rf_pmoe_tau_logistic(B), &st[K_LOSS]);
    judge(label, pr, dldf, dw_, ds_, B, 8, &st[K_DLDF]);

    /* expert backward */
    double *dW = NEW(double, k * h * d), *dG = NEW(double, nc);
    long double *dWw = NEW(long double, k * h * d), *dWs = NEW(long double, k * h * d);
    long double *dGw = NEW(long double, nc), *dGs = NEW(long double, nc);
    run_expert_bwd(pr, x, B, n, d, idx, Gin, k, l, a, h, sc, z, cc, dldf, dW, dG);
    ora_pmoe_expert_bwd(x, B, n, d, idx, Gin, k, l, a, h, sc, z, cc, dldf, dWw, dWs, dGw, dGs);
    judge(label, pr, dW, dWw, dWs, k * h * d, rf_pmoe_tau_expert_bwd(B, l), &st[K_DW]);
    judge(label, pr, dG, dGw, dGs, nc, 3, &st[K_DG]);

    /* gate backward, routing backward */
    double *dg = NEW(double, rows * n), *dwg = NEW(double, k * d);
    long double *dgw = NEW(long double, rows * n), *dgs = NEW(long double, rows * n);
    long double *dwgw = NEW(long double, k * d), *dwgs = NEW(long double, k * d);
    run_gate_bwd(pr, g, idx, dG, rows, n, l, c->gating, dg);
    ora_pmoe_gate_bwd(g, idx, dG, rows, n, l, c->gating, dgw, dgs);
    judge(label, pr, dg, dgw, dgs, rows * n, rf_pmoe_tau_gate_bwd(set_size(c), l), &st[K_GATE_BWD]);
    run_route_bwd(pr, x, B, n, d, dg, k, dwg);
    ora_pmoe_route_bwd(x, B, n, d, dg, k, dwgw, dwgs);
    judge(label, pr, dwg, dwgw, dwgs, k * d, rf_pmoe_tau_route_bwd(B, n), &st[K_ROUTE_BWD]);

    /* router pre-training loss (its own w: the first two routers, or two fresh ones) */
    double *wr = NEW(double, 2 * d), *rf = NEW(double, B), *rdw = NEW(double, 2 * d), rloss = 0;
    gen_gauss(wr, 2 * d, c->wscale);
    round_to(pr, wr, 2 * d);
    long double *rfw = NEW(long double, B), *rfs = NEW(long double, B), rlw = 0, rls = 0;
    long double *rdww = NEW(long double, 2 * d), *rdws = NEW(long double, 2 * d);
    run_router_loss(pr, x, y, B, n, d, wr, rf, &rloss, rdw);
    ora_pmoe_router_loss(x, y, B, n, d, wr, rfw, rfs, &rlw, &rls, rdww, rdws);
    judge(label, pr, rf, rfw, rfs, B, (double)n + (double)d + 3, &st[K_ROUTER_F]);
    judge(label, pr, &rloss, &rlw, &rls, 1, rf_pmoe_tau_router_loss(B, n, d), &st[K_ROUTER_LOSS]);
    judge(label, pr, rdw, rdww, rdws, 2 * d, (double)n + (double)B + 2, &st[K_ROUTER_DW]);

    /* SGD on the expert weights with the gradient above */
    long double *sw = NEW(long double, k * h * d), *ss = NEW(long double, k * h * d);
    double lr = 0.2; /* the kernel's own input: rounded to the precision like every other input */
    round_to(pr, &lr, 1);
    ora_pmoe_sgd(W, dW, k * h * d, lr, sw, ss);
    run_sgd(pr, W, dW, k * h * d, lr);
    judge(label, pr, W, sw, ss, k * h * d, 2, &st[K_SGD]);

    free(x), free(wg), free(W), free(a), free(y), free(g), free(want), free(scale), free(idx_true);
    free(flip), free(idx), free(idx_o), free(margin), free(gl), free(mo), free(ms), free(G), free(Gw);
    free(Gs), free(z), free(cc), free(f), free(zw), free(zs), free(cw), free(cs), free(fw), free(fs);
    free(lp), free(dldf), free(lpw), free(lps), free(dw_), free(ds_), free(dW), free(dG), free(dWw);
    free(dWs), free(dGw), free(dGs), free(dg), free(dwg), free(dgw), free(dgs), free(dwgw), free(dwgs);
    free(wr), free(rf), free(rdw), free(rfw), free(rfs), free(rdww), free(rdws), free(sw), free(ss);
}

/* The CNN (eq. 5) through the same expert kernels with idx = NULL, G = NULL. */
static void run_cnn(size_t B, size_t n, size_t d, size_t m, const prec *pr)
{
    judge_stat *st = stats[pr->f32 ? 0 : 1];
    pcase c = {"cnn", B, n, d, 1, m, n, 1, RF_PMOE_TIE_ROW, RF_PMOE_GATE_ONE, 0.1, 0.1, 0.1, 0};
    double *x = NEW(double, B * n * d), *W = NEW(double, m * d), *a = NEW(double, m);
    gen_x(&c, x);
    gen_gauss(W, m * d, 0.1);
    gen_gauss(a, m, 1);
    round_to(pr, x, B * n * d);
    round_to(pr, W, m * d);
    round_to(pr, a, m);
    double sc = 1.0 / (double)n;
    round_to(pr, &sc, 1);
    double *z = NEW(double, B * n * m), *cc = NEW(double, B * n), *f = NEW(double, B);
    long double *zw = NEW(long double, B * n * m), *zs = NEW(long double, B * n * m);
    long double *cw = NEW(long double, B * n), *cs = NEW(long double, B * n);
    long double *fw = NEW(long double, B), *fs = NEW(long double, B);
    run_expert_fwd(pr, x, B, n, d, NULL, NULL, 1, n, W, a, m, sc, z, cc, f);
    ora_pmoe_expert_fwd(x, B, n, d, NULL, NULL, 1, n, W, a, m, sc, zw, zs, cw, cs, fw, fs);
    judge("cnn", pr, z, zw, zs, B * n * m, rf_pmoe_tau_expert_z(d), &st[K_Z]);
    judge("cnn", pr, f, fw, fs, B, rf_pmoe_tau_expert_f(d, m, 1, n), &st[K_F]);
    double *dldf = NEW(double, B), *dW = NEW(double, m * d);
    long double *dWw = NEW(long double, m * d), *dWs = NEW(long double, m * d);
    gen_gauss(dldf, B, 0.1);
    round_to(pr, dldf, B);
    run_expert_bwd(pr, x, B, n, d, NULL, NULL, 1, n, a, m, sc, z, cc, dldf, dW, NULL);
    ora_pmoe_expert_bwd(x, B, n, d, NULL, NULL, 1, n, a, m, sc, z, cc, dldf, dWw, dWs, NULL, NULL);
    judge("cnn", pr, dW, dWw, dWs, m * d, rf_pmoe_tau_expert_bwd(B, n), &st[K_DW]);
    free(x), free(W), free(a), free(z), free(cc), free(f), free(zw), free(zs), free(cw), free(cs);
    free(fw), free(fs), free(dldf), free(dW), free(dWw), free(dWs);
}

/* Rows of small integers (many exact ties) and rows with NaN: the kernel's indices must equal the
 * oracle's sort exactly, for both rules. */
static void test_topl_ties(const prec *pr)
{
    for (int trial = 0; trial < 300; trial++) {
        const size_t grid_w = 1 + (size_t)rf_test_uniform(&rng, 0, 5);
        const size_t n = grid_w * (1 + (size_t)rf_test_uniform(&rng, 0, 5));
        const size_t l = 1 + (size_t)rf_test_uniform(&rng, 0, (double)n);
        const size_t rows = 3;
        const int tie = trial & 1 ? RF_PMOE_TIE_COL : RF_PMOE_TIE_ROW;
        double *g = NEW(double, rows * n), *margin = NEW(double, rows);
        long double *gl = NEW(long double, rows * n), *mo = NEW(long double, rows), *ms = NEW(long double, rows);
        int32_t *idx = NEW(int32_t, rows * l), *idx_o = NEW(int32_t, rows * l);
        for (size_t i = 0; i < rows * n; i++) {
            const double u = rf_test_uniform(&rng, 0, 1);
            g[i] = trial % 3 == 2 && u < 0.15 ? NAN : (double)(int)rf_test_uniform(&rng, -2, 3);
            gl[i] = g[i];
        }
        run_topl(pr, g, rows, n, l, tie, grid_w, idx, margin);
        CHECK(ora_pmoe_topl(gl, NULL, rows, n, l, tie, grid_w, idx_o, mo, ms, NULL) == 0);
        CHECKF(memcmp(idx, idx_o, rows * l * sizeof *idx) == 0, "ties [%s] trial %d (n %zu l %zu w %zu rule %d)",
               pr->name, trial, n, l, grid_w, tie);
        for (size_t r = 0; r < rows; r++)
            CHECK(isnan(mo[r]) ? isnan(margin[r]) : (double)mo[r] == margin[r]);
        free(g), free(margin), free(gl), free(mo), free(ms), free(idx), free(idx_o);
    }
}

/* A 4x4 grid, written out (patch j = 4R + C, column-major key 4C + R): row 0 all zero; row 1 zero
 * except patch 6 = (R 1, C 2), key 9.
 *   l = 2, row-major:    {0, 1} and {0, 6};   column-major: keys 0, 1 are patches 0, 4 -> {0, 4}, {0, 6}.
 *   l = 6, row-major:    {0,1,2,3,4,5} and {0,1,2,3,4,6};
 *          column-major: keys 0..5 are patches 0, 4, 8, 12, 1, 5 -> {0,1,4,5,8,12}; row 1 takes 6 and
 *          keys 0..4 -> {0,1,4,6,8,12}. */
static void test_topl_handworked(const prec *pr)
{
    double g[32] = {0};
    g[16 + 6] = 0.25;
    int32_t idx[12];
    double margin[2];
    const int32_t row2[4] = {0, 1, 0, 6}, col2[4] = {0, 4, 0, 6};
    run_topl(pr, g, 2, 16, 2, RF_PMOE_TIE_ROW, 4, idx, margin);
    CHECK(memcmp(idx, row2, sizeof row2) == 0);
    CHECK(margin[0] == 0 && margin[1] == 0);
    run_topl(pr, g, 2, 16, 2, RF_PMOE_TIE_COL, 4, idx, margin);
    CHECK(memcmp(idx, col2, sizeof col2) == 0);
    const int32_t row6[12] = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6};
    const int32_t col6[12] = {0, 1, 4, 5, 8, 12, 0, 1, 4, 6, 8, 12};
    run_topl(pr, g, 2, 16, 6, RF_PMOE_TIE_ROW, 4, idx, margin);
    CHECK(memcmp(idx, row6, sizeof row6) == 0);
    run_topl(pr, g, 2, 16, 6, RF_PMOE_TIE_COL, 4, idx, margin);
    CHECK(memcmp(idx, col6, sizeof col6) == 0);
    /* l = n: every index, margin +inf; invalid l: -1 and NaN, nothing read out of bounds */
    int32_t all[16];
    run_topl(pr, g, 1, 16, 16, RF_PMOE_TIE_ROW, 4, all, margin);
    CHECK(all[0] == 0 && all[15] == 15 && isinf(margin[0]) && margin[0] > 0);
    int32_t bad[17];
    run_topl(pr, g, 1, 16, 17, RF_PMOE_TIE_ROW, 4, bad, margin);
    CHECK(bad[0] == -1 && bad[16] == -1 && isnan(margin[0]));
    run_topl(pr, g, 1, 16, 2, RF_PMOE_TIE_COL, 3, bad, margin);
    CHECK(bad[0] == -1 && isnan(margin[0]));
}

/* A true near-tie: two patches that differ in one pixel by one unit of the precision. The oracle
 * must flag the row (flip below the bound), whichever way the kernel decides. */
static void test_near_tie(const prec *pr)
{
    const size_t n = 4, d = 64, l = 1;
    double x[4 * 64], w[64];
    for (size_t p = 0; p < d; p++) {
        x[p] = (double)(p % 7) / 7;
        w[p] = fabs(rf_test_gauss(&rng)); /* g > 0 for the two patches: they beat the blank ones */
    }
    round_to(pr, x, d);
    round_to(pr, w, d);
    memcpy(x + d, x, d * sizeof *x);
    x[d + 3] = pr->f32 ? (double)nextafterf((float)x[d + 3], 2.0f) : nextafter(x[d + 3], 2.0);
    for (size_t i = 2 * d; i < n * d; i++) x[i] = 0;
    long double gw[4], gs[4], flip[1];
    int32_t idx[1];
    ora_pmoe_route(x, 1, n, d, w, 1, gw, gs);
    CHECK(ora_pmoe_topl(gw, gs, 1, n, l, RF_PMOE_TIE_ROW, 1, idx, NULL, NULL, flip) == 0);
    CHECKF(flip[0] <= rf_pmoe_tau_route(d) * pr->u, "[%s] near-tie not recognised: flip %.3Lg", pr->name,
           flip[0]);
}

static void test_nonfinite(const prec *pr)
{
    /* A NaN pixel reaches f (relu(NaN) = NaN) and the loss; an infinite weight makes g infinite. */
    const size_t n = 4, d = 3;
    double x[12] = {0.5, 0.25, 1, 0, 0, 0, 1, 1, 1, 0.5, 0.5, 0.5};
    double W[3] = {1, -1, 0.5}, a[1] = {1}, f[1], z[4], c[4];
    x[1] = NAN;
    run_expert_fwd(pr, x, 1, n, d, NULL, NULL, 1, n, W, a, 1, 0.25, z, c, f);
    CHECK(isnan(f[0]) && isnan(z[0]) && !isnan(z[1]));
    double wg[3] = {INFINITY, 0, 0}, g[4];
    x[1] = 0.25;
    run_route(pr, x, 1, n, d, wg, 1, g);
    CHECK(isinf(g[0]) && isnan(g[1]) && isinf(g[2])); /* inf * 0 = NaN on the blank patch */
}

int main(void)
{
    const prec *precs[2] = {&PREC_F32, &PREC_F64};
    for (int pi = 0; pi < 2; pi++) {
        const prec *pr = precs[pi];
        /* random shapes */
        for (int t = 0; t < 120; t++) {
            pcase c = {"random", 0, 0, 0, 0, 0, 0, 1, RF_PMOE_TIE_ROW, RF_PMOE_GATE_SOFTMAX, 1, 0.1, 0.1, 0};
            c.B = (size_t)rf_test_uniform(&rng, 0, 6);
            c.grid_w = 1 + (size_t)rf_test_uniform(&rng, 0, 4);
            c.n = c.grid_w * (1 + (size_t)rf_test_uniform(&rng, 0, 5));
            c.d = 1 + (size_t)rf_test_uniform(&rng, 0, 40);
            c.k = 1 + (size_t)rf_test_uniform(&rng, 0, 4);
            c.h = 1 + (size_t)rf_test_uniform(&rng, 0, 5);
            c.l = 1 + (size_t)rf_test_uniform(&rng, 0, (double)c.n);
            c.tie = t & 1 ? RF_PMOE_TIE_COL : RF_PMOE_TIE_ROW;
            c.gating = t % 3;
            c.wscale = t % 5 == 0 ? 1e30 : t % 5 == 1 ? 1e-30 : t % 5 == 2 ? 0.01 : 1;
            c.p_blank = t % 4 == 0 ? 0.5 : 0.1;
            c.p_dup = t % 4 == 1 ? 0.5 : 0.1;
            if (t % 7 == 0) c.l = c.n;
            if (t % 7 == 1) c.l = 1;
            c.name = t % 5 == 0 ? "random huge w" : t % 5 == 1 ? "random tiny w" : "random";
            run_case(&c, pr);
        }
        /* the authors' shapes */
        const pcase authors[] = {
            {"joint k8 l6", 4, 16, 784, 8, 5, 6, 4, RF_PMOE_TIE_ROW, RF_PMOE_GATE_SOFTMAX, 0.05, 0.05, 0.05, 0},
            {"joint codeinit", 4, 16, 784, 8, 5, 6, 4, RF_PMOE_TIE_ROW, RF_PMOE_GATE_SOFTMAX, 1e-4, 0.05, 0.05, 0},
            {"separate k2 l2", 4, 16, 784, 2, 20, 2, 4, RF_PMOE_TIE_COL, RF_PMOE_GATE_ONE, 0.1, 0.05, 0.05, 0},
            {"wrn k4 l3", 3, 16, 12, 4, 3, 3, 4, RF_PMOE_TIE_ROW, RF_PMOE_GATE_WRN, 1, 0.1, 0.1, 0},
            {"all blank", 3, 16, 784, 2, 4, 2, 4, RF_PMOE_TIE_COL, RF_PMOE_GATE_SOFTMAX, 0.1, 1.0, 0, 0},
            {"all duplicates", 3, 16, 100, 3, 4, 5, 4, RF_PMOE_TIE_ROW, RF_PMOE_GATE_SOFTMAX, 0.1, 0, 1.0, 0},
            {"l = n", 2, 16, 50, 2, 3, 16, 4, RF_PMOE_TIE_ROW, RF_PMOE_GATE_WRN, 1, 0.2, 0.2, 0},
            {"l = 1", 2, 16, 50, 3, 3, 1, 4, RF_PMOE_TIE_COL, RF_PMOE_GATE_SOFTMAX, 1, 0.2, 0.2, 0},
            {"zero neurons", 3, 16, 30, 2, 3, 4, 4, RF_PMOE_TIE_ROW, RF_PMOE_GATE_SOFTMAX, 1, 0.1, 0.1, 1},
        };
        for (size_t i = 0; i < sizeof authors / sizeof *authors; i++) run_case(&authors[i], pr);
        run_cnn(4, 16, 784, 4, pr);
        run_cnn(3, 16, 784, 40, pr);
        run_cnn(2, 5, 7, 3, pr);
        test_topl_ties(pr);
        test_topl_handworked(pr);
        test_near_tie(pr);
        test_nonfinite(pr);
    }
    printf("largest |got - want| / (u S) (bound tau):\n");
    for (int k = 0; k < K_COUNT; k++)
        printf("  %-18s f32 %8.3f (tau %6.0f)   f64 %8.3f (tau %6.0f)   [%zu, %zu outputs]\n", kernel_label[k],
               stats[0][k].worst_ratio, stats[0][k].tau, stats[1][k].worst_ratio, stats[1][k].tau,
               stats[0][k].checked, stats[1][k].checked);
    printf("chained selection: %zu rows, %zu flagged near-ties, %zu selections differing from the exact g's\n",
           chained_rows, chained_near_ties, chained_flips);
    return rf_test_summary("test_pmoe_oracle");
}
