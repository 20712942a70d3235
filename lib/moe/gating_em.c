/* Gating EM driver (lib/moe/gating_em.h): E-step by rf_moe_estep / rf_moe_em_grad (refast/moe_em.h),
 * M-step by projected Newton on Q(W'|W_t) (gradient and Q here, Hessian by rf_moe_q_hess, Cholesky
 * by rf_moe_cholesky) or by one projected gradient step; the stopping rule of seed 001 Algorithm 2
 * (whose "while (error < eps)" is read as "while (error >= eps)") and the iterate trace. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moe/gating_em.h"
#include "moe_sums.h"
#include "refast/kernels.h"

rf_moe_gating_opts rf_moe_gating_defaults(void)
{
    rf_moe_gating_opts o = {RF_MOE_GATING_NEWTON, 1.0, INFINITY, 1e-10, 100, 8, 1e-10, 0};
    return o;
}

/* ---- helpers ------------------------------------------------------------------------------------- */

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Rows j < k-1 of W onto ||w_j|| <= R (R <= 0 or inf: nothing). */
static void project(double *W, size_t d, size_t k, double R)
{
    if (!(R > 0) || isinf(R)) return;
    for (size_t j = 0; j + 1 < k; j++) {
        double s = 0.0;
        for (size_t t = 0; t < d; t++) s += W[j * d + t] * W[j * d + t];
        const double nrm = sqrt(s);
        if (nrm > R) {
            const double f = R / nrm;
            for (size_t t = 0; t < d; t++) W[j * d + t] *= f;
        }
    }
}

static double frob_diff(const double *a, const double *b, size_t len)
{
    double s = 0.0;
    for (size_t e = 0; e < len; e++) s += (a[e] - b[e]) * (a[e] - b[e]);
    return sqrt(s);
}

static int all_finite(const double *a, size_t len)
{
    for (size_t e = 0; e < len; e++)
        if (!isfinite(a[e])) return 0;
    return 1;
}

/* The implementations one run uses: every kernel taken at the same level (ref at RF_ISA_SCALAR,
 * the level's own kernels and LAPACKE's Cholesky above), so that a run is reproducible level by
 * level. */
typedef struct gating_impl {
    rf_moe_estep_f64_fn estep;
    rf_moe_em_grad_f64_fn em_grad;
    rf_moe_q_hess_f64_fn hess;
    rf_moe_q_grad_f64_fn qgrad;
    rf_moe_cholesky_f64_fn chol;
    rf_moe_chol_solve_f64_fn solve;
} gating_impl;

static gating_impl impl_at(rf_isa level)
{
    gating_impl im;
    im.estep = (rf_moe_estep_f64_fn)rf_dispatch(RF_KID(moe_estep_f64), level, NULL);
    im.em_grad = (rf_moe_em_grad_f64_fn)rf_dispatch(RF_KID(moe_em_grad_f64), level, NULL);
    im.hess = (rf_moe_q_hess_f64_fn)rf_dispatch(RF_KID(moe_q_hess_f64), level, NULL);
    im.qgrad = (rf_moe_q_grad_f64_fn)rf_dispatch(RF_KID(moe_q_grad_f64), level, NULL);
    im.chol = (rf_moe_cholesky_f64_fn)rf_dispatch(RF_KID(moe_cholesky_f64), level, NULL);
    im.solve = (rf_moe_chol_solve_f64_fn)rf_dispatch(RF_KID(moe_chol_solve_f64), level, NULL);
    return im;
}

typedef struct newton_ws {
    double *post, *H, *L, *grad, *D, *Wtry;
} newton_ws;

/* Solves (-H + ridge I) D = grad by Cholesky, growing the ridge from 0 as refast/moe_gating.h says.
 * Returns the ridge used, or -1 when even the largest ridge fails. */
static double newton_solve(const gating_impl *im, const double *H, size_t m, double *L, double *D)
{
    double dmax = 1.0;
    for (size_t r = 0; r < m; r++)
        if (-H[r * m + r] > dmax) dmax = -H[r * m + r];
    double ridge = 0.0;
    for (int attempt = 0; attempt <= 12; attempt++) {
        for (size_t e = 0; e < m * m; e++) L[e] = -H[e];
        for (size_t r = 0; r < m; r++) L[r * m + r] += ridge;
        if (im->chol(L, m) == 0) {
            im->solve(L, m, D);
            return ridge;
        }
        ridge = ridge == 0.0 ? 1e-12 * dmax : ridge * 100.0;
    }
    return -1.0;
}

/* One Newton M-step from W (k x d, free rows updated in place). *q0 = Q(W_t|W_t) (unnormalised). */
static int newton_mstep(const gating_impl *im, const double *x, size_t n, size_t d, size_t k, const rf_moe_gating_opts *o,
                        newton_ws *ws, double *W, double *q0, double *ridge_used, char *err, size_t errlen)
{
    const size_t m = (k - 1) * d;
    unsigned inner = o->inner ? o->inner : 5;
    *ridge_used = 0.0;
    for (unsigned it = 0; it < inner; it++) {
        double qv;
        if (im->qgrad(x, ws->post, n, d, k, W, ws->grad, &qv) != 0) return fail(err, errlen, "out of memory");
        if (it == 0) *q0 = qv;
        if (!isfinite(qv)) return fail(err, errlen, "Q is not finite (a NaN or infinity in x, y or A?)");
        if (im->hess(x, n, d, k, W, ws->H) != 0) return fail(err, errlen, "out of memory");
        memcpy(ws->D, ws->grad, m * sizeof *ws->D);
        const double ridge = newton_solve(im, ws->H, m, ws->L, ws->D);
        if (ridge < 0) return fail(err, errlen, "the Newton system is not positive definite even with a ridge");
        if (ridge > *ridge_used) *ridge_used = ridge;
        if (o->line_search) {
            for (int half = 0; half < 30; half++) {
                memcpy(ws->Wtry, W, k * d * sizeof *W);
                for (size_t e = 0; e < m; e++) ws->Wtry[e] += ws->D[e];
                double qn;
                if (im->qgrad(x, ws->post, n, d, k, ws->Wtry, ws->grad, &qn) != 0)
                    return fail(err, errlen, "out of memory");
                if (qn >= qv) break;
                for (size_t e = 0; e < m; e++) ws->D[e] *= 0.5;
            }
        }
        double step = 0.0;
        for (size_t e = 0; e < m; e++) {
            W[e] += ws->D[e];
            step += ws->D[e] * ws->D[e];
        }
        project(W, d, k, o->R);
        if (!all_finite(W, m)) return fail(err, errlen, "a Newton iterate is not finite");
        if (o->inner_tol > 0 && sqrt(step) <= o->inner_tol) break;
    }
    return 0;
}

int rf_moe_gating_em_at(rf_isa level, const double *x, const double *y, size_t n, size_t d, size_t k,
                        const double *A, rf_moe_g g, double sigma, const double *W0,
                        const rf_moe_gating_opts *opts, double *W_out, uint64_t *iters,
                        rf_moe_gating_trace *trace, char *err, size_t errlen)
{
    if (!rf_isa_usable(level)) return fail(err, errlen, "level %s is not usable on this CPU", rf_isa_name(level));
    const gating_impl im = impl_at(level);
    const rf_moe_gating_opts o = opts ? *opts : rf_moe_gating_defaults();
    if (k < 2 || k > RF_MOE_EM_MAX_K) return fail(err, errlen, "k must be in 2..%d", RF_MOE_EM_MAX_K);
    if (d < 1 || d > RF_MOE_MAX_D) return fail(err, errlen, "d must be in 1..%d", RF_MOE_MAX_D);
    if ((k - 1) * d > RF_MOE_GATING_MAX_M)
        return fail(err, errlen, "(k-1) d = %zu is over %d", (k - 1) * d, RF_MOE_GATING_MAX_M);
    if (n < 1) return fail(err, errlen, "no samples");
    if (!(sigma > 0) || !isfinite(sigma)) return fail(err, errlen, "sigma must be a finite number > 0");
    if ((unsigned)g >= RF_MOE_G_COUNT) return fail(err, errlen, "unknown g");
    if (o.method != RF_MOE_GATING_NEWTON && o.method != RF_MOE_GATING_GRADIENT)
        return fail(err, errlen, "unknown method");
    if (o.method == RF_MOE_GATING_GRADIENT && !(o.alpha > 0 && isfinite(o.alpha)))
        return fail(err, errlen, "alpha must be a finite number > 0");
    if (isnan(o.R) || isnan(o.eps) || o.eps < 0) return fail(err, errlen, "R and eps must be numbers, eps >= 0");
    if (o.T < 1) return fail(err, errlen, "T must be >= 1");
    if (!all_finite(W0, (k - 1) * d)) return fail(err, errlen, "W0 is not finite");

    const size_t m = (k - 1) * d, kd = k * d;
    newton_ws ws = {0};
    double *W = calloc(kd, sizeof *W), *Wprev = calloc(kd, sizeof *Wprev);
    ws.post = malloc(n * k * sizeof *ws.post);
    ws.grad = malloc(m * sizeof *ws.grad);
    if (o.method == RF_MOE_GATING_NEWTON) {
        ws.H = malloc(m * m * sizeof *ws.H);
        ws.L = malloc(m * m * sizeof *ws.L);
        ws.D = malloc(m * sizeof *ws.D);
        ws.Wtry = calloc(kd, sizeof *ws.Wtry);
    }
    int rc = 0;
    if (!W || !Wprev || !ws.post || !ws.grad ||
        (o.method == RF_MOE_GATING_NEWTON && (!ws.H || !ws.L || !ws.D || !ws.Wtry)))
        rc = fail(err, errlen, "out of memory");
    uint64_t t = 0;
    if (rc == 0) {
        memcpy(W, W0, m * sizeof *W);
        project(W, d, k, o.R);
        if (trace) trace->count = 0;
        if (trace && trace->cap > 0) {
            if (trace->W) memcpy(trace->W, W, kd * sizeof *W);
            if (trace->dW) trace->dW[0] = 0.0;
            if (trace->ridge) trace->ridge[0] = 0.0;
            if (trace->q) trace->q[0] = NAN;
            trace->count = 1;
        }
    }
    while (rc == 0 && t < o.T) {
        memcpy(Wprev, W, kd * sizeof *W);
        double q0 = NAN, ridge = 0.0;
        if (o.method == RF_MOE_GATING_NEWTON) {
            if (im.estep(x, y, n, d, k, A, W, (int)g, sigma, ws.post) != 0) {
                rc = fail(err, errlen, "E-step failed (out of memory)");
                break;
            }
            rc = newton_mstep(&im, x, n, d, k, &o, &ws, W, &q0, &ridge, err, errlen);
            if (rc != 0) break;
        } else {
            if (im.em_grad(x, y, n, d, k, A, W, (int)g, sigma, ws.grad, &q0) != 0) {
                rc = fail(err, errlen, "E-step failed (out of memory)");
                break;
            }
            if (!isfinite(q0)) {
                rc = fail(err, errlen, "Q is not finite (a NaN or infinity in x, y or A?)");
                break;
            }
            const double step = o.alpha / (double)n; /* alpha times the MEAN gradient */
            for (size_t e = 0; e < m; e++) W[e] += step * ws.grad[e];
            project(W, d, k, o.R);
            if (!all_finite(W, m)) {
                rc = fail(err, errlen, "a gradient-EM iterate is not finite");
                break;
            }
        }
        t++;
        const double dW = frob_diff(W, Wprev, m);
        if (trace) {
            if (trace->q && trace->count >= 1 && trace->count - 1 < trace->cap) trace->q[trace->count - 1] = q0 / (double)n;
            if (trace->count < trace->cap) {
                const size_t c = trace->count;
                if (trace->W) memcpy(trace->W + c * kd, W, kd * sizeof *W);
                if (trace->dW) trace->dW[c] = dW;
                if (trace->ridge) trace->ridge[c] = ridge;
                if (trace->q) trace->q[c] = NAN;
                trace->count = c + 1;
            }
        }
        if (dW < o.eps) break;
    }
    if (rc == 0) {
        memcpy(W_out, W, kd * sizeof *W);
        memset(W_out + m, 0, d * sizeof *W_out);
    }
    if (iters) *iters = t;
    free(W);
    free(Wprev);
    free(ws.post);
    free(ws.grad);
    free(ws.H);
    free(ws.L);
    free(ws.D);
    free(ws.Wtry);
    return rc;
}

int rf_moe_gating_em(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                     rf_moe_g g, double sigma, const double *W0, const rf_moe_gating_opts *opts,
                     double *W_out, uint64_t *iters, rf_moe_gating_trace *trace, char *err, size_t errlen)
{
    return rf_moe_gating_em_at(rf_isa_current(), x, y, n, d, k, A, g, sigma, W0, opts, W_out, iters, trace,
                               err, errlen);
}

/* The EM iterates the registry judges (lib/moe/gating_em.h). */
int rf_moe_gating_em_iterates(rf_isa level, const double *x, const double *y, size_t n, size_t d, size_t k,
                          const double *A, int g, double sigma, const double *W0,
                          const rf_moe_gating_opts *opts, double *iterates)
{
    if (!opts || opts->T < 1 || opts->T > (1u << 20) || k < 2 || k > RF_MOE_EM_MAX_K || d < 1 || d > RF_MOE_MAX_D)
        return -1;
    rf_moe_gating_opts o = *opts;
    o.eps = 0.0;
    const size_t kd = k * d, T = (size_t)o.T;
    double *tw = malloc((T + 1) * kd * sizeof *tw), *Wout = malloc(kd * sizeof *Wout);
    rf_moe_gating_trace tr = {T + 1, 0, tw, NULL, NULL, NULL};
    int rc = (tw && Wout) ? rf_moe_gating_em_at(level, x, y, n, d, k, A, (rf_moe_g)g, sigma, W0, &o, Wout,
                                                NULL, &tr, NULL, 0)
                          : -1;
    if (rc == 0 && tr.count == T + 1) memcpy(iterates, tw + kd, T * kd * sizeof *tw);
    else rc = -1;
    free(tw);
    free(Wout);
    return rc;
}

double rf_moe_gating_fit(const double *W, const double *W_true, size_t k, size_t d)
{
    double fit = INFINITY;
    for (size_t j = 0; j + 1 < k; j++) {
        double ab = 0.0, aa = 0.0, bb = 0.0;
        for (size_t t = 0; t < d; t++) {
            ab += W[j * d + t] * W_true[j * d + t];
            aa += W[j * d + t] * W[j * d + t];
            bb += W_true[j * d + t] * W_true[j * d + t];
        }
        const double f = (aa > 0 && bb > 0) ? fabs(ab) / sqrt(aa * bb) : 0.0;
        if (f < fit) fit = f;
    }
    return fit;
}
