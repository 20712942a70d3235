/* `refast moe learn`: the MoE learning pipeline over trials.
 *
 * --stage regressors: seed 001 Algorithm 1 alone, streamed (n can be 10^8 without holding the data):
 *   for trial t (model and samples from seed S + t):
 *     CQT coefficients of (g, sigma)                                  (rf_moe_cqt_solve)
 *     T2 = 1/n sum P2(y_i) S2(x_i), T3 = 1/n sum P3(y_i) S3(x_i)    (chunks of CHUNK samples; S_m the
 *         Hermite tensors for x ~ N(0, I), the mixture's score tensors for Gaussian-mixture inputs,
 *         rf_mp_gmm_tacc, with the mixture (p, mu1, mu2) given to the learner as in seed 001 §4.1)
 *     A = rank-k decomposition of T3 whitened by T2                  (rf_moe_recover_regressors)
 *     RegressorFit(A, A*)                                            (seed 001 eq. 11)
 *
 * Default (--stage all): the full pipeline and the baselines on the n samples of each trial, held
 * in memory, one row per method of the table:
 *   alg12     seed 001 Algorithm 1 (as above) then Algorithm 2: EM on W with A fixed, Newton M-step
 *             (rf_mp_gating_em = the driver of refast/moe_gating.h), W_0 uniform in the ball of
 *             radius 2 ||w*|| (see radius_of)
 *   mom       (k = 2) Algorithm 1 then the (centred) method of moments of Theorem 3 for the direction of w
 *   l4        seed 003: Adam on L4 (rf_moe_sgd_l4), rows normalised, signs from the third moment,
 *             then projected gradient descent on L_log (rf_moe_gd_llog)
 *   joint-em  EM on A and W together from a random start (rf_mp_joint_em)
 *   l2        SGD on the l2 loss from a random start (rf_mp_l2_sgd)
 * Metrics (refast/moe_pipeline.h): RegressorFit = 1 - E_reg, GatingFit (k = 2), E(A, W), E_reg,
 * E_gating; mean ± sample std over the trials, time and samples/s per method, the mean error curve
 * at a few iterates, and with --json FILE every trial's metrics and per-iterate curves. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apps.h"
#include "bytes.h"
#include "cli.h"
#include "errf.h"
#include "jsonw.h"
#include "moe_spec_opts.h"
#include "refast/moe.h"
#include "refast/moe_decomp.h"
#include "refast/moe_loss.h"
#include "refast/moe_moments.h"
#include "moe/pipeline.h"
#include "moe/cqt.h"
#include "moe/model.h"
#include "moe/decomp.h"
#include "moe/losses.h"
#include "moe/tacc.h"

#define CHUNK 4096
#define MAX_TRIALS 100000u
#define MAX_N ((uint64_t)1 << 48)
/* L4 regularisers (seed 003 eq. 6 leaves them open). For a_i = s a*_l the population loss has the
 * terms -mu pi_l s^4 + lambda (pi_l s^2 - 1)^2: bounded below only when lambda pi_l > mu, so lambda
 * must dominate mu / min pi_l; with these the minimiser has s^2 = lambda / (lambda pi_l - mu).
   The loss does not see the components of a_i orthogonal to span{a*} at all, so without the ridge
 * delta they drift with the SGD noise (measured: E_reg 0.13 at step 500 back to 0.56 at step 3000
 * with delta = 0); delta = 2 holds them at zero. Adam step 0.003. Chosen on 003-l4 seeds 1-2
 * (E_reg 0.004 after 3000 steps): mu 0.1/0.5, lambda 1/10, delta 0/0.1/0.5/1/2, step 1e-3..1e-2 tried. */
#define L4_MU 0.1
#define L4_LAMBDA 10.0
#define L4_DELTA 2.0
#define L4_STEP 0.003
#define MAX_FULL_ND ((uint64_t)1 << 26) /* n * d doubles held by the full pipeline (512 MiB) */

enum { M_ALG12 = 0, M_MOM, M_L4, M_JOINT, M_L2, M_COUNT };
static const char *const method_name[M_COUNT] = {"alg12", "mom", "l4", "joint-em", "l2"};
static const char *const method_label[M_COUNT] = {"Alg. 1 + Alg. 2 (EM)", "Alg. 1 + MoM (Thm 3)", "L4 + L_log",
                                                  "joint EM", "l2 SGD"};
enum { X_RFIT = 0, X_GFIT, X_EAW, X_EREG, X_EGATE, X_COUNT };
static const char *const metric_name[X_COUNT] = {"RegressorFit", "GatingFit", "E(A,W)", "E_reg", "E_gating"};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct learn_opts {
    moe_spec_opts spec;
    const char *methods, *json;
    int stage, decomposer; /* indices into "all|regressors" and "tpm|orth-als" (-1: the default) */
    rf_isa isa;
    unsigned long long trials, starts, iters, em_iters, joint_iters, l2_epochs, l4_steps, llog_steps;
    bool have_starts, have_iters;
} learn_opts;

/* ---- moment tensors: Hermite (x ~ N(0, I)) or the Gaussian mixture's score ---------------------- */
typedef struct moments {
    bool gmm;
    rf_moe_tacc a2, a3;
    rf_mp_gmm_tacc g2, g3;
} moments;

static void moments_free(moments *mo)
{
    rf_moe_tacc_free(&mo->a2);
    rf_moe_tacc_free(&mo->a3);
    if (mo->gmm) {
        rf_mp_gmm_tacc_free(&mo->g2);
        rf_mp_gmm_tacc_free(&mo->g3);
    }
    memset(mo, 0, sizeof *mo);
}

static bool moments_init(moments *mo, const rf_moe_model *m)
{
    memset(mo, 0, sizeof *mo);
    const unsigned d = m->spec.d;
    if (m->spec.input == RF_MOE_X_GMM) {
        mo->gmm = true;
        const rf_mp_gmm g = {.ncomp = 2, .d = d, .pi = {m->spec.gmm_p, 1 - m->spec.gmm_p}, .mu = {m->mu1, m->mu2}};
        if (rf_mp_gmm_tacc_init(&mo->g2, &g, 2) != 0 || rf_mp_gmm_tacc_init(&mo->g3, &g, 3) != 0) {
            moments_free(mo);
            return false;
        }
        return true;
    }
    if (rf_moe_tacc_init(&mo->a2, 2, d) != 0 || rf_moe_tacc_init(&mo->a3, 3, d) != 0) {
        moments_free(mo);
        return false;
    }
    return true;
}

static bool moments_add(moments *mo, const double *x, const double *w2, const double *w3, size_t len)
{
    if (mo->gmm) return rf_mp_gmm_tacc_add(&mo->g2, x, w2, len) == 0 && rf_mp_gmm_tacc_add(&mo->g3, x, w3, len) == 0;
    rf_moe_tacc_add(&mo->a2, x, w2, len);
    rf_moe_tacc_add(&mo->a3, x, w3, len);
    return true;
}

static void moments_mean(const moments *mo, double *t2, double *t3)
{
    if (mo->gmm) {
        rf_mp_gmm_tacc_mean(&mo->g2, t2);
        rf_mp_gmm_tacc_mean(&mo->g3, t3);
    } else {
        rf_moe_tacc_mean(&mo->a2, t2);
        rf_moe_tacc_mean(&mo->a3, t3);
    }
}

/* ---- --stage regressors (streamed) -------------------------------------------------------------- */
typedef struct trial_result {
    double fit, t_total, t_gen;
} trial_result;

typedef struct pipeline {
    unsigned k, d;
    uint64_t n;
    double *x, *y, *w2, *w3, *t2, *t3, *A;
    bool progress;
} pipeline;

static bool run_trial(pipeline *p, const rf_moe_spec *s, const rf_moe_decomp_opts *dopts_in, trial_result *r,
                      char *err, size_t errlen)
{
    rf_moe_model m;
    if (!rf_moe_model_make(s, &m, err, errlen)) return false;
    const double t0 = now();
    double t_gen = 0, last = t0;
    rf_moe_cqt cqt;
    moments mo;
    if (!rf_moe_cqt_solve(s->g, s->sigma, &cqt, err, errlen)) {
        rf_moe_model_free(&m);
        return false;
    }
    if (!moments_init(&mo, &m)) {
        rf_moe_model_free(&m);
        return rf_fail(err, errlen, "out of memory for the moment accumulators");
    }
    bool ok = true;
    for (uint64_t i0 = 0; i0 < p->n && ok; i0 += CHUNK) {
        const size_t len = (size_t)(p->n - i0 < CHUNK ? p->n - i0 : CHUNK);
        const double g0 = now();
        rf_moe_sample(&m, i0, len, p->x, p->y, NULL);
        t_gen += now() - g0;
        for (size_t i = 0; i < len; i++) {
            p->w2[i] = rf_moe_poly(cqt.p2, 2, p->y[i]);
            p->w3[i] = rf_moe_poly(cqt.p3, 3, p->y[i]);
        }
        ok = moments_add(&mo, p->x, p->w2, p->w3, len);
        if (p->progress && now() - last > 0.5) {
            last = now();
            fprintf(stderr, "\r\033[Kmoe learn: seed %llu: %llu / %llu samples", (unsigned long long)s->seed,
                    (unsigned long long)(i0 + len), (unsigned long long)p->n);
        }
    }
    if (p->progress && last > t0) fprintf(stderr, "\r\033[K");
    if (!ok) snprintf(err, errlen, "out of memory in the moment accumulators");
    moments_mean(&mo, p->t2, p->t3);
    moments_free(&mo);
    rf_moe_decomp_opts dopts = *dopts_in;
    dopts.tpm.seed = s->seed;
    dopts.als.seed = s->seed;
    ok = ok && rf_moe_recover_regressors(p->t2, p->t3, p->d, p->k, cqt.c2, cqt.c3, &dopts, p->A, err, errlen);
    r->t_total = now() - t0;
    r->t_gen = t_gen;
    r->fit = ok ? rf_moe_regressor_fit(p->A, m.A, p->k, p->d) : NAN;
    rf_moe_model_free(&m);
    return ok;
}

static void pipeline_free(pipeline *p)
{
    free(p->x);
    free(p->y);
    free(p->w2);
    free(p->w3);
    free(p->t2);
    free(p->t3);
    free(p->A);
}

static void mean_std(const double *v, unsigned long long n, double *mean, double *sd)
{
    double s = 0, ss = 0;
    for (unsigned long long t = 0; t < n; t++) s += v[t];
    *mean = n ? s / (double)n : NAN;
    for (unsigned long long t = 0; t < n; t++) ss += (v[t] - *mean) * (v[t] - *mean); /* two passes */
    *sd = n > 1 ? sqrt(ss / (double)(n - 1)) : 0;
}

static int stage_regressors(const learn_opts *o, rf_moe_spec s, uint64_t n, const rf_moe_decomp_opts *dopts)
{
    char err[512];
    rf_moe_cqt cqt;
    if (!rf_moe_cqt_solve(s.g, s.sigma, &cqt, err, sizeof err)) return rf_usage_error("moe learn: %s", err);
    pipeline p = {0};
    p.k = s.k;
    p.d = s.d;
    p.n = n;
    p.progress = isatty(STDERR_FILENO) != 0;
    p.x = malloc((size_t)CHUNK * s.d * sizeof *p.x);
    p.y = malloc(CHUNK * sizeof *p.y);
    p.w2 = malloc(CHUNK * sizeof *p.w2);
    p.w3 = malloc(CHUNK * sizeof *p.w3);
    p.t2 = malloc(rf_sym2_size(s.d) * sizeof *p.t2);
    p.t3 = malloc(rf_sym3_size(s.d) * sizeof *p.t3);
    p.A = malloc((size_t)s.k * s.d * sizeof *p.A);
    double *fits = malloc(o->trials * sizeof *fits);
    if (!p.x || !p.y || !p.w2 || !p.w3 || !p.t2 || !p.t3 || !p.A || !fits) {
        pipeline_free(&p);
        free(fits);
        return rf_usage_error("moe learn: out of memory");
    }
    char desc[400];
    moe_spec_describe(&s, o->spec.preset, desc, sizeof desc);
    const char *method = dopts->method == RF_MOE_DECOMP_TPM ? "tpm" : "orth-als";
    printf("moe learn --stage regressors: %s\n", desc);
    printf("n = %llu, trials = %llu (trial t: model and samples from seed %llu + t), decomposer %s", (unsigned long long)n,
           o->trials, (unsigned long long)s.seed, method);
    if (dopts->method == RF_MOE_DECOMP_TPM) printf(" (L = %u starts, N = %u iterations)", dopts->tpm.starts, dopts->tpm.iters);
    else printf(" (at most %u sweeps, tol %g)", dopts->als.iters, dopts->als.tol);
    printf(", isa %s%s\n", rf_isa_name(rf_isa_current()),
           s.input == RF_MOE_X_GMM ? ", Gaussian-mixture score tensors (mu1, mu2, p given)" : "");
    printf("CQT: P3(y) = y^3 %+.6g y^2 %+.6g y %+.6g, P2(y) = y^2 %+.6g y %+.6g, c3 = %.6g, c2 = %.6g\n", cqt.p3[2],
           cqt.p3[1], cqt.p3[0], cqt.p2[1], cqt.p2[0], cqt.c3, cqt.c2);
    printf("%6s %20s %13s %14s %14s\n", "trial", "seed", "RegressorFit", "time [ms]", "gen [ms]");
    const uint64_t seed0 = s.seed;
    double mn = INFINITY, tt = 0, tg = 0;
    unsigned long long ok_trials = 0, failed = 0;
    for (unsigned long long t = 0; t < o->trials; t++) {
        s.seed = seed0 + t;
        trial_result r = {0};
        if (!run_trial(&p, &s, dopts, &r, err, sizeof err)) {
            printf("%6llu %20llu   failed: %s\n", t, (unsigned long long)s.seed, err);
            failed++;
            continue;
        }
        printf("%6llu %20llu %13.6f %14.3f %14.3f\n", t, (unsigned long long)s.seed, r.fit, 1e3 * r.t_total,
               1e3 * r.t_gen);
        fflush(stdout);
        fits[ok_trials++] = r.fit;
        mn = fmin(mn, r.fit);
        tt += r.t_total;
        tg += r.t_gen;
    }
    pipeline_free(&p);
    if (ok_trials) {
        double mean, sd;
        mean_std(fits, ok_trials, &mean, &sd);
        printf("RegressorFit: %.4f ± %.4f (mean ± sample std over %llu trials), min %.4f\n", mean, sd, ok_trials, mn);
        const double per = tt / (double)ok_trials, per_gen = tg / (double)ok_trials, per_alg = per - per_gen;
        printf("time per trial: %.3f ms including the generation of the samples (%.3f ms), %.3f ms without\n",
               1e3 * per, 1e3 * per_gen, 1e3 * per_alg);
        printf("Algorithm 1 throughput: %.4g samples/s generation excluded, %.4g samples/s generation included\n",
               (double)n / per_alg, (double)n / per);
    }
    free(fits);
    if (failed)
        printf("moe learn: %llu of %llu trials failed (the decomposition refused their T2/T3; excluded from the "
               "statistics above)\n",
               failed, o->trials);
    return ok_trials ? RF_EXIT_OK : RF_EXIT_CHECK;
}

/* ---- --stage all: the full pipeline and the baselines on data in memory -------------------------- */
#define NCURVE 4 /* per iterate: GatingFit, E(A,W), E_reg, E_gating */

typedef struct method_out {
    bool ok;
    char why[256];
    double metric[X_COUNT];
    double seconds;
    unsigned niter;  /* curve entries */
    double *curve;   /* niter x NCURVE */
} method_out;

typedef struct full_ctx {
    const learn_opts *o;
    rf_moe_spec s;
    uint64_t n;
    const rf_moe_decomp_opts *dopts;
    rf_moe_cqt cqt;
    rf_moe_model m;
    double *x, *y;
} full_ctx;

/* Metrics of an estimate (A, W) against the model; W row k-1 is zero. */
static void metrics_of(const full_ctx *c, const double *A, const double *W, double *out)
{
    const unsigned k = c->s.k, d = c->s.d;
    unsigned perm[RF_MP_MAX_K];
    out[X_EREG] = rf_mp_ereg(A, c->m.A, k, d, perm);
    out[X_RFIT] = 1 - out[X_EREG];
    out[X_GFIT] = k == 2 ? rf_mp_gating_fit(W, c->m.W, d) : NAN;
    out[X_EAW] = rf_mp_eaw(A, W, c->m.A, c->m.W, k, d);
    out[X_EGATE] = rf_mp_egating(W, c->m.W, k, d, perm);
}

static bool curve_alloc(method_out *r, unsigned niter)
{
    r->curve = malloc((size_t)niter * NCURVE * sizeof *r->curve);
    r->niter = r->curve ? niter : 0;
    return r->curve != NULL;
}

static void curve_set(const full_ctx *c, method_out *r, unsigned t, const double *A, const double *W)
{
    double v[X_COUNT];
    metrics_of(c, A, W, v);
    double *e = r->curve + (size_t)t * NCURVE;
    e[0] = v[X_GFIT];
    e[1] = v[X_EAW];
    e[2] = v[X_EREG];
    e[3] = v[X_EGATE];
}

/* Algorithm 1 on the in-memory data. */
static bool algorithm1(const full_ctx *c, double *A, char *err, size_t errlen)
{
    const unsigned d = c->s.d;
    moments mo;
    double w2[CHUNK], w3[CHUNK];
    double *t2 = malloc(rf_sym2_size(d) * sizeof *t2), *t3 = malloc(rf_sym3_size(d) * sizeof *t3);
    bool ok = t2 && t3 && moments_init(&mo, &c->m);
    if (!ok) {
        free(t2);
        free(t3);
        return rf_fail(err, errlen, "out of memory");
    }
    for (uint64_t i0 = 0; i0 < c->n && ok; i0 += CHUNK) {
        const size_t len = (size_t)(c->n - i0 < CHUNK ? c->n - i0 : CHUNK);
        for (size_t i = 0; i < len; i++) {
            w2[i] = rf_moe_poly(c->cqt.p2, 2, c->y[i0 + i]);
            w3[i] = rf_moe_poly(c->cqt.p3, 3, c->y[i0 + i]);
        }
        ok = moments_add(&mo, c->x + i0 * d, w2, w3, len);
    }
    moments_mean(&mo, t2, t3);
    moments_free(&mo);
    rf_moe_decomp_opts dopts = *c->dopts;
    dopts.tpm.seed = c->s.seed;
    dopts.als.seed = c->s.seed;
    if (!ok) snprintf(err, errlen, "out of memory");
    ok = ok && rf_moe_recover_regressors(t2, t3, d, c->s.k, c->cqt.c2, c->cqt.c3, &dopts, A, err, errlen);
    free(t2);
    free(t3);
    return ok;
}

/* W uniform in the ball of radius R (rows < k-1), row k-1 zero. */
static void random_gating(uint64_t seed, uint64_t stream, unsigned k, unsigned d, double R, double *W)
{
    rf_mp_random_sphere(seed, stream, k, d, W);
    for (unsigned j = 0; j + 1 < k; j++) {
        const double u = 0.5 + 0.5 * erf(rf_mp_gauss(seed, stream + 500, j) / sqrt(2.0)); /* uniform (0,1) */
        const double rad = R * pow(u, 1.0 / d);
        for (unsigned t = 0; t < d; t++) W[(size_t)j * d + t] *= rad;
    }
    memset(W + (size_t)(k - 1) * d, 0, d * sizeof *W);
}

/* The ball of the gating M-steps. The estimate's experts come in an arbitrary order, and in that
 * order the truth is re-referenced to the estimate's last expert (refast/moe_pipeline.h): its rows
 * w*_i - w*_r have norms up to 2 ||w*||, so the ball has radius 2 R, not R (with radius R a
 * correct estimate in another labelling would be cut off). */
static double radius_of(const rf_moe_spec *s) { return 2.0 * (s->w_norm > 0 ? s->w_norm : 1.0); }

static void run_alg12(const full_ctx *c, method_out *r, bool mom)
{
    const unsigned k = c->s.k, d = c->s.d;
    const size_t kd = (size_t)k * d;
    const double t0 = now(), R = radius_of(&c->s);
    double *A = malloc(kd * sizeof *A), *W = calloc(kd, sizeof *W);
    const unsigned T = (unsigned)c->o->em_iters;
    double *it = mom ? NULL : malloc((size_t)(T + 1) * kd * sizeof *it);
    if (!A || !W || (!mom && !it)) {
        snprintf(r->why, sizeof r->why, "out of memory");
        goto out;
    }
    if (!algorithm1(c, A, r->why, sizeof r->why)) goto out;
    if (mom) {
        rf_mp_mom mm;
        rf_mp_mom_init(&mm, d);
        rf_mp_mom_add(&mm, c->x, c->y, (size_t)c->n, A, c->s.g);
        if (!rf_mp_mom_finish(&mm, R / 2, W)) { /* k = 2: ||w*|| itself */
            snprintf(r->why, sizeof r->why, "the Theorem 3 moment vanished");
            goto out;
        }
    } else {
        random_gating(c->s.seed, 8000, k, d, R, W);
        unsigned done = 0;
        if (rf_mp_gating_em(c->x, c->y, (size_t)c->n, d, k, A, c->s.g, c->s.sigma, R, T, 1e-6, W, it, &done) != 0) {
            snprintf(r->why, sizeof r->why, "gating EM failed");
            goto out;
        }
        r->seconds = now() - t0;
        if (curve_alloc(r, done + 1))
            for (unsigned t = 0; t <= done; t++) curve_set(c, r, t, A, it + (size_t)t * kd);
    }
    if (!r->seconds) r->seconds = now() - t0;
    metrics_of(c, A, W, r->metric);
    r->ok = true;
out:
    free(A);
    free(W);
    free(it);
}

/* Joint EM (joint, T = --joint-iters iterations) or l2 SGD (!joint, T = --l2-epochs epochs): both
 * fill (A, W) and T + 1 iterate pairs (A_t, W_t) for the curves. */
static void run_paired(const full_ctx *c, method_out *r, bool joint)
{
    const unsigned k = c->s.k, d = c->s.d, T = (unsigned)(joint ? c->o->joint_iters : c->o->l2_epochs);
    const size_t kd = (size_t)k * d;
    double *A = malloc(kd * sizeof *A), *W = malloc(kd * sizeof *W);
    double *it = malloc(2 * (size_t)(T + 1) * kd * sizeof *it);
    const double t0 = now();
    if (!A || !W || !it) snprintf(r->why, sizeof r->why, "out of memory");
    else if (joint ? rf_mp_joint_em(c->x, c->y, (size_t)c->n, d, k, c->s.g, c->s.sigma, radius_of(&c->s), T,
                                    c->s.seed ^ 0x6a6f696e74ULL, A, W, it) != 0
                   : rf_mp_l2_sgd(c->x, c->y, (size_t)c->n, d, k, c->s.g, 0.05, 32, T, radius_of(&c->s),
                                  c->s.seed ^ 0x6c32ULL, A, W, it) != 0)
        snprintf(r->why, sizeof r->why, "%s",
                 joint ? "joint EM failed (singular weighted least squares or memory)" : "l2 SGD diverged");
    else {
        r->seconds = now() - t0;
        metrics_of(c, A, W, r->metric);
        r->ok = true;
        if (curve_alloc(r, T + 1))
            for (unsigned t = 0; t <= T; t++) curve_set(c, r, t, it + 2 * (size_t)t * kd, it + 2 * (size_t)t * kd + kd);
    }
    free(A);
    free(W);
    free(it);
}

static int array_source(void *ctx, uint64_t first, size_t count, double *x, double *y)
{
    const full_ctx *c = ctx;
    memcpy(x, c->x + first * c->s.d, count * c->s.d * sizeof *x);
    memcpy(y, c->y + first, count * sizeof *y);
    return 0;
}

/* L4 then L_log (seed 003 §3-4). The L4 minimiser is A up to row scale and sign (seed 003 Remark 1):
 * rows are normalised and each sign is chosen so that mean P3(y) He_3(<a_i, x>) > 0, the sign of
 * c3 pi_i of seed 001 Theorem 1 (for c3 > 0; flipped when c3 < 0). */
static void run_l4(const full_ctx *c, method_out *r)
{
    const unsigned k = c->s.k, d = c->s.d;
    const size_t kd = (size_t)k * d;
    const unsigned S = (unsigned)c->o->l4_steps, L = (unsigned)c->o->llog_steps, every = 10;
    const unsigned nA = S / every + 1;
    double *A = malloc(kd * sizeof *A), *W = calloc(kd, sizeof *W);
    double *it = malloc((size_t)(S + 1) * kd * sizeof *it), *An = malloc(kd * sizeof *An);
    const double t0 = now();
    if (!A || !W || !it || !An || k > RF_MOE_L4_MAX_K) {
        snprintf(r->why, sizeof r->why, k > RF_MOE_L4_MAX_K ? "L4 supports k <= 16" : "out of memory");
        goto out;
    }
    rf_mp_random_sphere(c->s.seed, 9000, k, d, A);
    rf_moe_l4_run run = {.k = k, .d = d, .cqt = c->cqt, .mu = L4_MU, .lambda = L4_LAMBDA, .delta = L4_DELTA,
                         .source = array_source, .ctx = (void *)c, .total = c->n,
                         .batch = c->n < 1024 ? (size_t)c->n : 1024, .opt = RF_MOE_OPT_ADAM, .step = L4_STEP,
                         .iters = S, .seed = c->s.seed, .iterates = it};
    if (rf_moe_sgd_l4(&run, A, r->why, sizeof r->why) != 0) goto out;
    /* normalise rows, fix signs */
    for (unsigned i = 0; i < k; i++) {
        double *a = A + (size_t)i * d, nn = 0, m3 = 0;
        for (unsigned t = 0; t < d; t++) nn += a[t] * a[t];
        nn = sqrt(nn);
        if (!(nn > 0)) {
            snprintf(r->why, sizeof r->why, "L4 returned a zero regressor");
            goto out;
        }
        for (unsigned t = 0; t < d; t++) a[t] /= nn;
        for (uint64_t s = 0; s < c->n; s++) {
            double z = 0;
            for (unsigned t = 0; t < d; t++) z += a[t] * c->x[s * d + t];
            m3 += rf_moe_poly(c->cqt.p3, 3, c->y[s]) * (z * z * z - 3 * z);
        }
        if (m3 * c->cqt.c3 < 0)
            for (unsigned t = 0; t < d; t++) a[t] = -a[t];
    }
    random_gating(c->s.seed, 9500, k, d, radius_of(&c->s), W);
    if (!curve_alloc(r, nA + L + 1)) {
        snprintf(r->why, sizeof r->why, "out of memory");
        goto out;
    }
    /* curve: L4 iterates (every 10th step, rows normalised, W = the gating start), then L_log steps */
    for (unsigned q = 0; q < nA; q++) {
        memcpy(An, it + (size_t)q * every * kd, kd * sizeof *An);
        for (unsigned i = 0; i < k; i++) { /* rows normalised, as the final A */
            double nn = 0;
            for (unsigned t = 0; t < d; t++) nn += An[i * d + t] * An[i * d + t];
            for (unsigned t = 0; nn > 0 && t < d; t++) An[i * d + t] /= sqrt(nn);
        }
        curve_set(c, r, q, An, W);
    }
    for (unsigned t = 0; t <= L; t++) {
        curve_set(c, r, nA + t, A, W);
        if (t == L) break;
        if (rf_moe_gd_llog(c->x, c->y, (size_t)c->n, d, k, A, c->s.g, c->s.sigma, 1.0, radius_of(&c->s), 1, W, NULL,
                           r->why, sizeof r->why) != 0)
            goto out;
    }
    r->seconds = now() - t0;
    metrics_of(c, A, W, r->metric);
    r->ok = true;
out:
    free(A);
    free(W);
    free(it);
    free(An);
}

/* --methods "a,b,c" -> mask; returns 0 or the exit code. */
static int parse_methods(const char *list, unsigned k, unsigned *mask)
{
    *mask = 0;
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, ',');
        const size_t len = e ? (size_t)(e - p) : strlen(p);
        int found = -1;
        for (int mth = 0; mth < M_COUNT; mth++)
            if (strlen(method_name[mth]) == len && !strncmp(p, method_name[mth], len)) found = mth;
        if (found < 0)
            return rf_usage_error("moe learn: --methods: unknown method '%.*s' (alg12, mom, l4, joint-em, l2)", (int)len,
                                  p);
        if (found == M_MOM && k != 2) return rf_usage_error("moe learn: --methods mom needs k = 2 (seed 001 Theorem 3)");
        *mask |= 1u << found;
        if (!e) break;
        p = e + 1;
        if (!*p) return rf_usage_error("moe learn: --methods: empty method name");
    }
    if (!*mask) return rf_usage_error("moe learn: --methods: empty list");
    return RF_EXIT_OK;
}

static void json_curve(rf_wbuf *w, const method_out *r)
{
    static const char *const cn[NCURVE] = {"GatingFit", "E_AW", "E_reg", "E_gating"};
    rf_wbuf_puts(w, ", \"curve\": {");
    for (unsigned q = 0; q < NCURVE; q++) {
        rf_wbuf_printf(w, "%s\"%s\": [", q ? ", " : "", cn[q]);
        for (unsigned t = 0; t < r->niter; t++) {
            rf_jsonw_member_num(w, t ? ", " : "", r->curve[(size_t)t * NCURVE + q], 6);
        }
        rf_wbuf_puts(w, "]");
    }
    rf_wbuf_puts(w, "}");
}

/* One method of one trial in the --json document. */
static void json_method(rf_wbuf *w, const method_out *r, const char *name, bool first)
{
    rf_wbuf_printf(w, "%s\"%s\": {\"ok\": %s, \"seconds\": %.6g", first ? "" : ", ", name, r->ok ? "true" : "false",
                   r->seconds);
    for (int q = 0; r->ok && q < X_COUNT; q++)
        if (isfinite(r->metric[q])) rf_wbuf_printf(w, ", \"%s\": %.6g", metric_name[q], r->metric[q]);
    if (!r->ok) {
        rf_jsonw_member_str(w, ", \"error\": ", r->why);
    }
    if (r->ok && r->niter) json_curve(w, r);
    rf_wbuf_puts(w, "}");
}

static int stage_all(const learn_opts *o, rf_moe_spec s, uint64_t n, const rf_moe_decomp_opts *dopts)
{
    char err[512];
    if (n * s.d > MAX_FULL_ND)
        return rf_usage_error("moe learn: n * d = %llu exceeds 2^26: the full pipeline holds the data in memory (use "
                              "--stage regressors for larger n)",
                              (unsigned long long)(n * s.d));
    unsigned mask;
    if (o->methods) {
        const int rc = parse_methods(o->methods, s.k, &mask);
        if (rc) return rc;
    } else if (o->spec.preset && !strncmp(o->spec.preset, "003-", 4)) {
        mask = 1u << M_L4 | 1u << M_JOINT | 1u << M_L2 | 1u << M_ALG12;
    } else {
        mask = 1u << M_ALG12 | 1u << M_JOINT | (s.k == 2 ? 1u << M_MOM : 0);
    }
    if ((mask & 1u << M_L4) && s.k > RF_MOE_L4_MAX_K) return rf_usage_error("moe learn: l4 supports k <= 16");
    full_ctx c = {.o = o, .s = s, .n = n, .dopts = dopts};
    if (!rf_moe_cqt_solve(s.g, s.sigma, &c.cqt, err, sizeof err)) return rf_usage_error("moe learn: %s", err);
    c.x = malloc((size_t)n * s.d * sizeof *c.x);
    c.y = malloc((size_t)n * sizeof *c.y);
    const size_t nres = (size_t)o->trials * M_COUNT;
    method_out *res = calloc(nres, sizeof *res);
    if (!c.x || !c.y || !res) {
        free(c.x);
        free(c.y);
        free(res);
        return rf_usage_error("moe learn: out of memory for %llu samples", (unsigned long long)n);
    }
    rf_wbuf jw = {0}; /* the --json document, saved at the end */
    char desc[400];
    moe_spec_describe(&s, o->spec.preset, desc, sizeof desc);
    printf("moe learn: %s\n", desc);
    printf("n = %llu, trials = %llu (trial t: model and samples from seed %llu + t), isa %s%s\n", (unsigned long long)n,
           o->trials, (unsigned long long)s.seed, rf_isa_name(rf_isa_current()),
           s.input == RF_MOE_X_GMM ? "; Algorithm 1 uses the mixture's score tensors (p, mu1, mu2 given)" : "");
    rf_wbuf_puts(&jw, "{\"command\": \"moe learn\", \"spec\": ");
    rf_jsonw_str(&jw, desc);
    rf_wbuf_printf(&jw, ", \"n\": %llu, \"trials\": [\n", (unsigned long long)n);
    const uint64_t seed0 = s.seed;
    const bool progress = isatty(STDERR_FILENO) != 0;
    for (unsigned long long t = 0; t < o->trials; t++) {
        c.s.seed = seed0 + t;
        if (!rf_moe_model_make(&c.s, &c.m, err, sizeof err)) {
            free(c.x);
            free(c.y);
            free(res);
            rf_wbuf_free(&jw);
            return rf_usage_error("moe learn: %s", err);
        }
        rf_moe_sample(&c.m, 0, (size_t)n, c.x, c.y, NULL);
        rf_wbuf_printf(&jw, "%s  {\"trial\": %llu, \"seed\": %llu, \"methods\": {", t ? ",\n" : "", t,
                       (unsigned long long)c.s.seed);
        bool first = true;
        for (int mth = 0; mth < M_COUNT; mth++) {
            if (!(mask & 1u << mth)) continue;
            if (progress) fprintf(stderr, "\r\033[Kmoe learn: trial %llu / %llu: %s", t + 1, o->trials, method_name[mth]);
            method_out *r = &res[t * M_COUNT + (unsigned)mth];
            switch (mth) {
            case M_ALG12: run_alg12(&c, r, false); break;
            case M_MOM: run_alg12(&c, r, true); break;
            case M_L4: run_l4(&c, r); break;
            case M_JOINT: run_paired(&c, r, true); break;
            default: run_paired(&c, r, false); break;
            }
            if (!r->ok) printf("trial %llu (seed %llu): %s failed: %s\n", t, (unsigned long long)c.s.seed,
                               method_name[mth], r->why);
            json_method(&jw, r, method_name[mth], first);
            first = false;
        }
        rf_wbuf_puts(&jw, "}}");
        rf_moe_model_free(&c.m);
    }
    if (progress) fprintf(stderr, "\r\033[K");
    /* the table */
    printf("%-22s %7s", "method", "trials");
    for (int q = 0; q < X_COUNT; q++) printf(" %17s", metric_name[q]);
    printf(" %11s %12s\n", "time [ms]", "samples/s");
    double *v = malloc(o->trials * sizeof *v);
    bool any_ok = false;
    for (int mth = 0; mth < M_COUNT && v; mth++) {
        if (!(mask & 1u << mth)) continue;
        unsigned long long ok = 0;
        double secs = 0;
        for (unsigned long long t = 0; t < o->trials; t++)
            if (res[t * M_COUNT + (unsigned)mth].ok) ok++, secs += res[t * M_COUNT + (unsigned)mth].seconds;
        printf("%-22s %3llu/%-3llu", method_label[mth], ok, o->trials);
        any_ok |= ok > 0;
        for (int q = 0; q < X_COUNT; q++) {
            unsigned long long m = 0;
            for (unsigned long long t = 0; t < o->trials; t++) {
                const method_out *r = &res[t * M_COUNT + (unsigned)mth];
                if (r->ok && isfinite(r->metric[q])) v[m++] = r->metric[q];
            }
            double mean, sd;
            mean_std(v, m, &mean, &sd);
            if (m) printf("   %6.3f ± %6.3f", mean, sd);
            else printf(" %17s", "-");
        }
        if (ok) printf(" %11.2f %12.4g\n", 1e3 * secs / (double)ok, (double)n * (double)ok / secs);
        else printf(" %11s %12s\n", "-", "-");
    }
    /* mean curves: the iterates of figure 3 (E(A,W); GatingFit for k = 2) and of seed 003 figure 1 */
    printf("mean error curves over the trials (value at iterate t; a run that stopped early keeps its last value):\n");
    for (int mth = 0; mth < M_COUNT && v; mth++) {
        if (!(mask & 1u << mth) || mth == M_MOM) continue;
        unsigned maxit = 0;
        for (unsigned long long t = 0; t < o->trials; t++) {
            const method_out *r = &res[t * M_COUNT + (unsigned)mth];
            if (r->ok && r->niter > maxit) maxit = r->niter;
        }
        if (!maxit) continue;
        static const unsigned marks[] = {0, 1, 2, 3, 5, 10, 20, 50, 100, 200, 300, 500, 1000};
        for (unsigned q = 0; q < NCURVE; q++) {
            if (q == 0 && s.k != 2) continue;
            printf("  %-10s %-9s", method_name[mth], q == 0 ? "GatingFit" : q == 1 ? "E(A,W)" : q == 2 ? "E_reg" : "E_gating");
            for (size_t mk = 0; mk <= sizeof marks / sizeof marks[0]; mk++) {
                const unsigned it = mk < sizeof marks / sizeof marks[0] ? marks[mk] : maxit - 1;
                if (it >= maxit || (mk < sizeof marks / sizeof marks[0] && it == maxit - 1)) {
                    if (mk < sizeof marks / sizeof marks[0]) continue;
                }
                double sum = 0;
                unsigned cnt = 0;
                for (unsigned long long t = 0; t < o->trials; t++) {
                    const method_out *r = &res[t * M_COUNT + (unsigned)mth];
                    if (!r->ok || !r->niter) continue;
                    const unsigned ii = it < r->niter ? it : r->niter - 1;
                    sum += r->curve[(size_t)ii * NCURVE + q];
                    cnt++;
                }
                printf(" t=%u:%.3f", it, cnt ? sum / cnt : NAN);
            }
            printf("\n");
        }
    }
    if (mask & 1u << M_L4)
        printf("  (l4 curve: iterates 0..%llu are L4 steps 0, 10, 20, ...; then one per L_log step)\n",
               o->l4_steps / 10);
    free(v);
    for (size_t e = 0; e < nres; e++) free(res[e].curve);
    free(res);
    free(c.x);
    free(c.y);
    rf_wbuf_puts(&jw, "\n]}\n");
    const bool saved = !o->json || rf_wbuf_save(&jw, o->json, err, sizeof err);
    rf_wbuf_free(&jw);
    if (!saved) return rf_usage_error("moe learn: --json %s", err);
    return any_ok ? RF_EXIT_OK : RF_EXIT_CHECK;
}

static int run_learn(const void *opts)
{
    const learn_opts *o = opts;
    rf_moe_spec s;
    uint64_t n;
    int rc = moe_spec_resolve("moe learn", &o->spec, &s, &n);
    if (rc) return rc;
    if (n > MAX_N)
        return rf_usage_error("moe learn: --n %llu exceeds 2^48 (sample counters stay far from 64-bit wrap)",
                              (unsigned long long)n);
    const bool regressors_only = o->stage == 1;
    if (regressors_only && (o->methods || o->json))
        return rf_usage_error("moe learn: --methods and --json belong to --stage all");
    rf_moe_decomp_opts dopts;
    rf_moe_decomp_defaults(&dopts);
    if (o->decomposer >= 0) dopts.method = o->decomposer == 0 ? RF_MOE_DECOMP_TPM : RF_MOE_DECOMP_ORTH_ALS;
    if (o->have_starts) {
        if (dopts.method != RF_MOE_DECOMP_TPM) return rf_usage_error("moe learn: --starts applies to --decomposer tpm");
        dopts.tpm.starts = (unsigned)o->starts;
    }
    if (o->have_iters) {
        if (dopts.method == RF_MOE_DECOMP_TPM) dopts.tpm.iters = (unsigned)o->iters;
        else dopts.als.iters = (unsigned)o->iters;
    }
    if (s.seed > UINT64_MAX - (o->trials - 1))
        return rf_usage_error("moe learn: --seed %llu + %llu trials overflows 64 bits", (unsigned long long)s.seed,
                              o->trials);
    if (s.k > RF_MP_MAX_K) return rf_usage_error("moe learn: k = %u exceeds %d", s.k, RF_MP_MAX_K);
    /* refuse an unwritable --json before the trials, not after them */
    char err[512];
    if (o->json && !rf_check_writable(o->json, err, sizeof err)) return rf_usage_error("moe learn: --json %s", err);
    return regressors_only ? stage_regressors(o, s, n, &dopts) : stage_all(o, s, n, &dopts);
}

_Static_assert(CHUNK == 4096, "update the moe learn help");

#define STEPS(name, field, meta, text, dflt)                                                                \
    {name, RF_OPT_U64, offsetof(learn_opts, field), meta, .help = text, .def = dflt, .min = 1, .max = 1000000}

static const rf_opt learn_opts_table[] = {
    {"--stage", RF_OPT_CHOICE, offsetof(learn_opts, stage), "all|regressors",
     .help = "every method of --methods on data in memory, or Algorithm 1 alone\n(streamed)", .def = "all"},
    {"--trials", RF_OPT_U64, offsetof(learn_opts, trials), "T", .help = "trials; trial t draws from seed S + t",
     .def = "10", .min = 1, .max = MAX_TRIALS},
    {"--methods", RF_OPT_STR, offsetof(learn_opts, methods), "LIST",
     .help = "comma-separated: alg12, mom, l4, joint-em, l2 (default: alg12, mom\n"
             "(k = 2) and joint-em; presets 003-*: l4, joint-em, l2 and alg12)"},
    {"--decomposer", RF_OPT_CHOICE, offsetof(learn_opts, decomposer), "tpm|orth-als",
     .help = "the rank-k decomposition of Algorithm 1 (tpm: L starts x N\n"
             "iterations; orth-als: at most N sweeps, the seed's choice)"},
    {"--starts", RF_OPT_U64, offsetof(learn_opts, starts), "L", .help = "tpm starts", .min = 1, .max = 1000000,
     .given = RF_GIVEN(learn_opts, have_starts)},
    {"--iters", RF_OPT_U64, offsetof(learn_opts, iters), "N", .help = "tpm iterations, or orth-als sweeps", .min = 1,
     .max = 1000000, .given = RF_GIVEN(learn_opts, have_iters)},
    STEPS("--em-iters", em_iters, "T2", "alg12: at most this many EM iterations", "50"),
    STEPS("--joint-iters", joint_iters, "TJ", "joint-em iterations", "100"),
    STEPS("--l2-epochs", l2_epochs, "E", "l2 epochs", "100"),
    STEPS("--l4-steps", l4_steps, "S", "l4 Adam steps", "3000"),
    STEPS("--llog-steps", llog_steps, "S", "l4: gradient steps on L_log", "300"),
    {"--isa", RF_OPT_LEVEL, offsetof(learn_opts, isa), NULL,
     .help = "the level of the kernels (default: REFAST_ISA, else the\nbest this CPU has)"},
    {"--json", RF_OPT_FILE, offsetof(learn_opts, json), "FILE",
     .help = "write every trial's metrics and per-iterate curves (GatingFit,\n"
             "E(A,W), E_reg, E_gating) to FILE (atomically)"},
    MOE_SPEC_OPTS(learn_opts, spec),
    {0},
};

const rf_command rf_cmd_moe_learn = {
    .name = "learn",
    .summary = "learning pipelines over trials: Algorithm 1+2, MoM, L4 + L_log, joint EM, l2 SGD",
    .about =
        "Learns a mixture of experts over T trials. Trial t draws its model and samples from seed S + t\n"
        "(default S = 1), so trial t of any run is reproducible alone: the same model as\n"
        "`refast moe gen ... --seed S+t`. Give --preset NAME, or --k, --d, --g and --sigma.\n"
        "Algorithm 1 (seed 001): the CQT polynomials P2, P3 of (g, sigma), the moment tensors\n"
        "T2 = mean P2(y) S2(x), T3 = mean P3(y) S3(x) (S_m the Hermite tensors for x ~ N(0, I); for\n"
        "Gaussian-mixture inputs the mixture's score tensors sum_c r_c(x) He_m(x - mu_c), the learner\n"
        "being given p, mu1, mu2 as in seed 001 §4.1), whitening by T2 and the rank-k decomposition of T3.\n\n"
        "--stage regressors: Algorithm 1 alone, streamed over chunks of 4096 samples (n bounded only by\n"
        "time). Prints each trial's RegressorFit = max over permutations of min_i |<a_pi(i), a*_i>|\n"
        "(seed 001 eq. 11), mean ± sample std, min, time per trial and samples/s with the generation of\n"
        "the samples excluded and included. Failed trials are listed and left out; exit 1 when all fail.\n\n"
        "--stage all: the n samples of a trial are held in memory (n * d <= 2^26) and every method of\n"
        "--methods runs on them:\n"
        "  alg12     Algorithm 1, then Algorithm 2: EM on W with A fixed (Newton M-step, ||w_i|| <= 2R,\n"
        "            R the model's w-norm: the truth re-referenced to the estimate's last expert has\n"
        "            rows w*_i - w*_r of norm <= 2R; W_0 uniform in that ball; the driver of\n"
        "            refast/moe_gating.h), at most --em-iters iterations, stop when\n"
        "            ||W_t - W_{t-1}||_F < 1e-6\n"
        "  mom       (k = 2) Algorithm 1, then seed 001 Theorem 3: w = -R v / |v| with the centred\n"
        "            moment v = mean 1{Ratio <= 1/2} x - mean 1{Ratio <= 1/2} mean x\n"
        "  l4        seed 003: Adam on L4 (batch 1024, --l4-steps, step 0.003, mu = 0.1, lambda = 10,\n"
        "            delta = 2) from a random start, rows normalised, signs by the third moment,\n"
        "            then projected gradient descent on L_log (--llog-steps, step 1)\n"
        "  joint-em  EM on A and W together from a random start, --joint-iters iterations\n"
        "            (weighted least squares for A; Gauss-Newton steps for non-linear g)\n"
        "  l2        SGD on the l2 loss (batch 32, step 0.05) from a random start, --l2-epochs epochs\n"
        "Prints per method the mean ± sample std over trials of RegressorFit (= 1 - E_reg), GatingFit\n"
        "(k = 2, seed 001 eq. 12), E(A, W) (seed 001 §4.3, best permutation, gating truth re-referenced\n"
        "to the estimate's last expert), E_reg and E_gating (seed 003 §4), time and samples/s, then the\n"
        "mean error curve at a few iterates.",
    .opts = learn_opts_table,
    .size = sizeof(learn_opts),
    .run = run_learn,
};
