/* Helpers shared by the pMoE tests (header-only, static: each test executable includes it once).
 *   - a precision descriptor and wrappers that run the f32 or f64 reference kernel on double
 *     arrays (inputs already rounded to the precision, so they widen exactly for the oracle);
 *   - the `sum` class judge |got - want| <= tau u S + tau eta, recording the largest ratio
 *     |got - want| / (u S) per label so that the test prints what it measured. */
#ifndef REFAST_TEST_PMOE_UTIL_H
#define REFAST_TEST_PMOE_UTIL_H

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/pmoe.h"
#include "testlib.h"

typedef struct prec {
    const char *name;
    int f32;
    double u;   /* unit roundoff */
    double eta; /* smallest subnormal */
} prec;

static const prec PREC_F32 = {"f32", 1, 0x1p-24, FLT_TRUE_MIN};
static const prec PREC_F64 = {"f64", 0, 0x1p-53, DBL_TRUE_MIN};

static inline void *xmalloc(size_t bytes)
{
    void *p = calloc(bytes ? bytes : 1, 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

#define NEW(type, count) ((type *)xmalloc((count) * sizeof(type)))

/* Round every entry to the precision (in place). */
static inline void round_to(const prec *pr, double *v, size_t count)
{
    if (pr->f32)
        for (size_t i = 0; i < count; i++) v[i] = (double)(float)v[i];
}

static inline float *to_f32(const double *v, size_t count)
{
    if (!v) return NULL;
    float *o = NEW(float, count);
    for (size_t i = 0; i < count; i++) o[i] = (float)v[i];
    return o;
}

static inline void from_f32(const float *v, size_t count, double *out)
{
    if (v && out)
        for (size_t i = 0; i < count; i++) out[i] = v[i];
}

/* ---- judge ---------------------------------------------------------------------------------- */

typedef struct judge_stat {
    double worst_ratio; /* max |got - want| / (u S) seen */
    double tau;         /* the bound it was held to (largest tau seen) */
    size_t checked;
} judge_stat;

/* Checks count outputs; prints the first few failures. Returns the number of failures. */
static inline size_t judge(const char *label, const prec *pr, const double *got, const long double *want,
                    const long double *scale, size_t count, double tau, judge_stat *st)
{
    size_t bad = 0;
    for (size_t i = 0; i < count; i++) {
        const long double w = want[i], g = got[i];
        int ok;
        double ratio = 0;
        if (isnan(w) || isnan(g)) ok = isnan(w) && isnan(g);
        else if (isinf(w) || isinf(g)) ok = w == g;
        else {
            const long double err = fabsl(g - w);
            const long double bound = (long double)tau * pr->u * scale[i] + (long double)tau * pr->eta;
            ok = err <= bound;
            ratio = scale[i] > 0 ? (double)(err / (pr->u * scale[i])) : (err > 0 ? INFINITY : 0);
        }
        if (ratio > st->worst_ratio) st->worst_ratio = ratio;
        if (tau > st->tau) st->tau = tau;
        st->checked++;
        if (!ok) {
            if (bad < 5)
                fprintf(stderr, "  %s [%s] entry %zu: got %.17g want %.17Lg scale %.3Lg (tau %.0f)\n",
                        label, pr->name, i, got[i], w, scale[i], tau);
            bad++;
        }
    }
    CHECKF(bad == 0, "%s [%s]: %zu of %zu outputs beyond tau u S", label, pr->name, bad, count);
    return bad;
}

/* ---- wrappers: one call of the f32 or f64 reference kernel on double arrays ------------------- */

static inline void run_route(const prec *pr, const double *x, size_t B, size_t n, size_t d, const double *w,
                      size_t k, double *g)
{
    if (!pr->f32) {
        pmoe_route_f64_ref(x, B, n, d, w, k, g);
        return;
    }
    float *xf = to_f32(x, B * n * d), *wf = to_f32(w, k * d), *gf = NEW(float, B * k * n);
    pmoe_route_f32_ref(xf, B, n, d, wf, k, gf);
    from_f32(gf, B * k * n, g);
    free(xf), free(wf), free(gf);
}

static inline void run_topl(const prec *pr, const double *g, size_t rows, size_t n, size_t l, int tie,
                     size_t grid_w, int32_t *idx, double *margin)
{
    if (!pr->f32) {
        pmoe_topl_f64_ref(g, rows, n, l, tie, grid_w, idx, margin);
        return;
    }
    float *gf = to_f32(g, rows * n), *mf = NEW(float, rows);
    pmoe_topl_f32_ref(gf, rows, n, l, tie, grid_w, idx, mf);
    from_f32(mf, rows, margin);
    free(gf), free(mf);
}

static inline void run_gate(const prec *pr, const double *g, const int32_t *idx, size_t rows, size_t n,
                     size_t l, int mode, double *G)
{
    if (!pr->f32) {
        pmoe_gate_f64_ref(g, idx, rows, n, l, mode, G);
        return;
    }
    float *gf = to_f32(g, rows * n), *Gf = NEW(float, rows * l);
    pmoe_gate_f32_ref(gf, idx, rows, n, l, mode, Gf);
    from_f32(Gf, rows * l, G);
    free(gf), free(Gf);
}

static inline void run_expert_fwd(const prec *pr, const double *x, size_t B, size_t n, size_t d,
                           const int32_t *idx, const double *G, size_t k, size_t l, const double *W,
                           const double *a, size_t h, double scale, double *z, double *c, double *f)
{
    if (!pr->f32) {
        pmoe_expert_fwd_f64_ref(x, B, n, d, idx, G, k, l, W, a, h, scale, z, c, f);
        return;
    }
    float *xf = to_f32(x, B * n * d), *Gf = to_f32(G, B * k * l), *Wf = to_f32(W, k * h * d);
    float *af = to_f32(a, k * h), *zf = z ? NEW(float, B * k * l * h) : NULL;
    float *cf = c ? NEW(float, B * k * l) : NULL, *ff = NEW(float, B);
    pmoe_expert_fwd_f32_ref(xf, B, n, d, idx, Gf, k, l, Wf, af, h, (float)scale, zf, cf, ff);
    from_f32(zf, B * k * l * h, z);
    from_f32(cf, B * k * l, c);
    from_f32(ff, B, f);
    free(xf), free(Gf), free(Wf), free(af), free(zf), free(cf), free(ff);
}

static inline void run_logistic(const prec *pr, const double *f, const int8_t *y, size_t B, double *loss_per,
                         double *loss, double *dldf)
{
    if (!pr->f32) {
        pmoe_logistic_f64_ref(f, y, B, loss_per, loss, dldf);
        return;
    }
    float *ff = to_f32(f, B), *lp = NEW(float, B), *dl = NEW(float, B), lo = 0;
    pmoe_logistic_f32_ref(ff, y, B, lp, &lo, dl);
    from_f32(lp, B, loss_per);
    from_f32(dl, B, dldf);
    *loss = lo;
    free(ff), free(lp), free(dl);
}

static inline void run_expert_bwd(const prec *pr, const double *x, size_t B, size_t n, size_t d,
                           const int32_t *idx, const double *G, size_t k, size_t l, const double *a,
                           size_t h, double scale, const double *z, const double *c, const double *dldf,
                           double *dW, double *dG)
{
    if (!pr->f32) {
        pmoe_expert_bwd_f64_ref(x, B, n, d, idx, G, k, l, a, h, scale, z, c, dldf, dW, dG);
        return;
    }
    float *xf = to_f32(x, B * n * d), *Gf = to_f32(G, B * k * l), *af = to_f32(a, k * h);
    float *zf = to_f32(z, B * k * l * h), *cf = to_f32(c, B * k * l), *df = to_f32(dldf, B);
    float *dWf = NEW(float, k * h * d), *dGf = dG ? NEW(float, B * k * l) : NULL;
    pmoe_expert_bwd_f32_ref(xf, B, n, d, idx, Gf, k, l, af, h, (float)scale, zf, cf, df, dWf, dGf);
    from_f32(dWf, k * h * d, dW);
    from_f32(dGf, B * k * l, dG);
    free(xf), free(Gf), free(af), free(zf), free(cf), free(df), free(dWf), free(dGf);
}

static inline void run_gate_bwd(const prec *pr, const double *g, const int32_t *idx, const double *dG,
                         size_t rows, size_t n, size_t l, int mode, double *dg)
{
    if (!pr->f32) {
        pmoe_gate_bwd_f64_ref(g, idx, dG, rows, n, l, mode, dg);
        return;
    }
    float *gf = to_f32(g, rows * n), *dGf = to_f32(dG, rows * l), *dgf = NEW(float, rows * n);
    pmoe_gate_bwd_f32_ref(gf, idx, dGf, rows, n, l, mode, dgf);
    from_f32(dgf, rows * n, dg);
    free(gf), free(dGf), free(dgf);
}

static inline void run_route_bwd(const prec *pr, const double *x, size_t B, size_t n, size_t d,
                          const double *dg, size_t k, double *dw)
{
    if (!pr->f32) {
        pmoe_route_bwd_f64_ref(x, B, n, d, dg, k, dw);
        return;
    }
    float *xf = to_f32(x, B * n * d), *dgf = to_f32(dg, B * k * n), *dwf = NEW(float, k * d);
    pmoe_route_bwd_f32_ref(xf, B, n, d, dgf, k, dwf);
    from_f32(dwf, k * d, dw);
    free(xf), free(dgf), free(dwf);
}

static inline void run_router_loss(const prec *pr, const double *x, const int8_t *y, size_t B, size_t n,
                            size_t d, const double *w, double *f, double *loss, double *dw)
{
    if (!pr->f32) {
        pmoe_router_loss_f64_ref(x, y, B, n, d, w, f, NULL, loss, dw);
        return;
    }
    float *xf = to_f32(x, B * n * d), *wf = to_f32(w, 2 * d), *ff = NEW(float, B), *dwf = NEW(float, 2 * d);
    float lo = 0;
    pmoe_router_loss_f32_ref(xf, y, B, n, d, wf, ff, NULL, &lo, dwf);
    from_f32(ff, B, f);
    from_f32(dwf, 2 * d, dw);
    *loss = lo;
    free(xf), free(wf), free(ff), free(dwf);
}

static inline void run_sgd(const prec *pr, double *w, const double *grad, size_t count, double lr)
{
    if (!pr->f32) {
        pmoe_sgd_f64_ref(w, grad, count, lr);
        return;
    }
    float *wf = to_f32(w, count), *gf = to_f32(grad, count);
    pmoe_sgd_f32_ref(wf, gf, count, (float)lr);
    from_f32(wf, count, w);
    free(wf), free(gf);
}

#endif
