/* The seed 003 losses (refast/moe_loss.h): L4 and its gradient at every usable level, the autovec and
 * openblas peers; L_log and its gradient; the SGD / Adam and projected-GD drivers.
 *
 * - Gradient vs finite differences, every level: L4 of a fixed batch is a polynomial of degree 4 in
 *   each entry of A, so the 4th-order central stencil (-f(a+2h) + 8 f(a+h) - 8 f(a-h) + f(a-2h))/12h
 *   has NO truncation error (its error term is f^(5) h^4 / 30 = 0); the step can then be large,
 *   h = 2^-6 max(1, |a|) per entry, which makes the rounding error (~ u |L| / h) negligible. Check:
 *   |fd - g| <= 1e-6 max(|g|, 1e-2 |g|_inf).
 * - Every level and peer vs the oracle (oracle/moe_loss.c) on odd sizes -- k in 1..9, d up to 70,
 *   n = 0..3*8+1 and across blocks -- with misaligned pointers: |got - want| <= RF_MOE_L4_TAU u S per
 *   output; and a non-finite input makes every output NaN at every level.
 * - Population form (seed 003 eq. 7) on 10^6 samples of the seed's §4 model (k = 3, d = 10,
 *   sigma = 0.05, a*_i = e_i, w*_i = e_{k+i}, linear g), streamed in 100 batches of 10^4: the
 *   linear part (lambda = 0) is the mean of the batch losses, the lambda part is added from the
 *   empirical e_i; |L4 - eq. 7| <= 4 standard errors (from the spread of the batches) + 1e-3 for
 *   the quadrature of E[p*_m]. Eq. 7 is exact for ANY A once every a*_m is orthogonal to span{w*}
 *   (seed 003's assumption): with x = z a*_m + (the rest), p*_m depends on the rest only, and
 *   E_z[He_4(z) P(z)] keeps the z^4 coefficient of the t-polynomial P, which is the rest-free
 *   product of <a*_m, a_i>. The test's A = A* + N(0, 0.3^2) noise has components on w* on purpose.
 * - SGD / Adam hyper-parameters: mu = 0.1, lambda = 2, delta = 1 (seed 003 does not give its own).
 *   With mu close to lambda pi the minimiser |a_i| grows (eq. 7: |a_i|^2 = (lambda pi - delta/4) /
 *   (pi (lambda pi - mu))) and the quartic sampling noise of a batch makes SGD diverge (mu = 0.5, lambda = 2, delta = 0.01 does).
 * - The gradient at the truth A* against what eq. 7 implies there: dL4/da_i = (-4 mu pi_i +
 *   4 lambda pi_i (pi_i - 1) + delta) e_i, zero off the radial direction (pi_m = E[p*_m]).
 * - L_log gradient vs central differences (h = u^(1/3) max(1, |w|), relative 1e-6).
 * - SGD (batch 1024, step 0.002, seed 003 §4 data: 10^5 samples) from a random start reaches
 *   E_reg < 0.05 within 2000 steps (it gets there near step 700 and ends near 0.01); Adam too;
 *   projected GD on L_log (10^4 samples) from W = 0 (distance 1) with A = A* gets within 0.2 of W*.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "moe_l4_common.h"
#include "oracle_moe_loss.h"
#include "refast/moe.h"
#include "refast/moe_loss.h"
#include "refast/registry.h"
#include "testlib.h"
#include "moe/cqt.h"
#include "moe/model.h"
#include "moe/losses.h"


#define U53 0x1p-53

static uint64_t rng = 0x243f6a8885a308d3ull; /* this file's rf_test_* stream (testlib.h) */

/* The implementations under test: every usable level, the autovec peers, openblas. */
typedef struct impl {
    const char *name;
    rf_moe_l4_grad_f64_fn fn;
} impl;

static int impls(impl *out)
{
    rf_impl im[RF_MAX_IMPLS];
    const size_t n = rf_test_impls(rf_kernel_find("moe_l4_grad_f64"), true, im);
    static char names[RF_MAX_IMPLS][32];
    for (size_t i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "%s", im[i].label);
        out[i] = (impl){names[i], (rf_moe_l4_grad_f64_fn)im[i].fn};
    }
    return (int)n;
}

static void random_hyper(double *h)
{
    h[RF_L4_C] = 24.0 * (0.5 + rf_test_unit(&rng));
    h[RF_L4_CP] = 2.0 * (0.5 + rf_test_unit(&rng));
    h[RF_L4_MU] = rf_test_unit(&rng);
    h[RF_L4_LAMBDA] = 2.0 * rf_test_unit(&rng);
    h[RF_L4_DELTA] = 0.1 * rf_test_unit(&rng);
}

/* ---- gradient vs finite differences ------------------------------------------------------------- */

static void test_fd_l4(const impl *im, int nim)
{
    const size_t ks[] = {1, 2, 3, 5}, ds[] = {1, 4, 10}, ns[] = {1, 100, 300};
    for (size_t a = 0; a < 4; a++)
        for (size_t b = 0; b < 3; b++)
            for (size_t c = 0; c < 3; c++) {
                const size_t k = ks[a], d = ds[b], n = ns[c];
                double *x = malloc(n * d * sizeof *x), *q4 = malloc(n * sizeof *q4), *q2 = malloc(n * sizeof *q2);
                double *A = malloc(k * d * sizeof *A), *g = malloc(k * d * sizeof *g), *gd = malloc(k * d * sizeof *gd);
                double h[RF_L4_NHYPER];
                for (size_t i = 0; i < n * d; i++) x[i] = rf_test_gauss(&rng);
                for (size_t i = 0; i < n; i++) {
                    q4[i] = 3.0 * rf_test_gauss(&rng);
                    q2[i] = rf_test_gauss(&rng);
                }
                for (size_t i = 0; i < k * d; i++) A[i] = rf_test_gauss(&rng);
                random_hyper(h);
                for (int m = 0; m < nim; m++) {
                    double loss;
                    im[m].fn(x, q4, q2, n, d, k, A, h, &loss, g);
                    double gmax = 0.0;
                    for (size_t i = 0; i < k * d; i++) gmax = fmax(gmax, fabs(g[i]));
                    int bad = 0;
                    for (size_t i = 0; i < k * d; i++) {
                        const double a0 = A[i], step = ldexp(fmax(1.0, fabs(a0)), -6);
                        double f[4];
                        const double off[4] = {2.0, 1.0, -1.0, -2.0};
                        for (int j = 0; j < 4; j++) {
                            A[i] = a0 + off[j] * step;
                            im[m].fn(x, q4, q2, n, d, k, A, h, &f[j], gd);
                        }
                        A[i] = a0;
                        const double fd = (-f[0] + 8.0 * f[1] - 8.0 * f[2] + f[3]) / (12.0 * step);
                        if (!(fabs(fd - g[i]) <= 1e-6 * fmax(fabs(g[i]), 1e-2 * gmax))) {
                            if (bad++ < 3)
                                fprintf(stderr, "%s k=%zu d=%zu n=%zu entry %zu: grad %.17g, fd %.17g\n", im[m].name,
                                        k, d, n, i, g[i], fd);
                        }
                    }
                    CHECKF(bad == 0, "%s: %d gradient entries off the finite differences", im[m].name, bad);
                }
                free(x);
                free(q4);
                free(q2);
                free(A);
                free(g);
                free(gd);
            }
}

/* ---- every level vs the oracle, odd sizes, misaligned ------------------------------------------- */

static void test_vs_oracle(const impl *im, int nim)
{
    const size_t ks[] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, ds[] = {1, 2, 3, 7, 8, 10, 16, 17, 33, 64, 70};
    size_t ns[40], nn = 0;
    for (size_t n = 0; n <= 25; n++) ns[nn++] = n;
    ns[nn++] = 63;
    ns[nn++] = 64;
    ns[nn++] = 65;
    ns[nn++] = 200;
    for (size_t a = 0; a < 9; a++)
        for (size_t b = 0; b < 11; b++)
            for (size_t c = 0; c < nn; c++) {
                const size_t k = ks[a], d = ds[b], n = ns[c];
                /* Keep the run short: every n for k in {1, 2, 3, 8, 9}, every third otherwise. */
                if ((a >= 3 && a <= 6 && c % 3 != 0) || (d >= 33 && c % 3 != 0 && n < 60)) continue;
                /* aarch64's long double is quad precision in software (the oracle is ~50x slower
                 * there): k in {1, 2, 3, 8, 9}, past the register tails (n < 8) every third n, and no
                 * case above 2 10^5 k^2 d n. */
                if (LDBL_MANT_DIG > 64 && ((n >= 8 && n < 60 && c % 3 != 1) || (a >= 3 && a <= 6) ||
                                           k * k * d * n > 200000))
                    continue;
                /* One double past a 64-byte boundary: misaligned for every vector width; the inputs
                 * end exactly where their allocation ends (a sanitizer build sees any over-read). */
                double *xb = rf_alloc((n * d + 1) * sizeof *xb), *qb = rf_alloc((2 * n + 1) * sizeof *qb);
                double *Ab = rf_alloc((k * d + 1) * sizeof *Ab), *gb = rf_alloc((k * d + 2) * sizeof *gb);
                double *x = xb + 1, *q4 = qb + 1, *q2 = qb + 1 + n, *A = Ab + 1, *g = gb + 1;
                double h[RF_L4_NHYPER];
                for (size_t i = 0; i < n * d; i++) x[i] = rf_test_gauss(&rng);
                for (size_t i = 0; i < n; i++) {
                    q4[i] = 3.0 * rf_test_gauss(&rng);
                    q2[i] = rf_test_gauss(&rng);
                }
                for (size_t i = 0; i < k * d; i++) A[i] = rf_test_gauss(&rng) / sqrt((double)d);
                random_hyper(h);
                long double wl, sl, *wg = malloc(k * d * sizeof *wg), *sg = malloc(k * d * sizeof *sg);
                CHECK(ora_moe_l4(x, q4, q2, n, d, k, A, h, &wl, &sl, wg, sg) == 0);
                for (int m = 0; m < nim; m++) {
                    double loss;
                    gb[0] = gb[k * d + 1] = 12345.0; /* guards */
                    im[m].fn(x, q4, q2, n, d, k, A, h, &loss, g);
                    double worst = fabs(loss - (double)wl) / (U53 * (double)sl + 1e-300);
                    for (size_t i = 0; i < k * d; i++)
                        worst = fmax(worst, fabs(g[i] - (double)wg[i]) / (U53 * (double)sg[i] + 1e-300));
                    CHECKF(worst <= RF_MOE_L4_TAU && gb[0] == 12345.0 && gb[k * d + 1] == 12345.0,
                           "%s k=%zu d=%zu n=%zu: error ratio %.3g (bound %.0f)", im[m].name, k, d, n, worst,
                           RF_MOE_L4_TAU);
                }
                /* A NaN or infinity anywhere: every output NaN. */
                if (n > 0 && a < 3) {
                    const size_t at = (size_t)(rf_test_u64(&rng) % (n * d));
                    const double keep = x[at];
                    x[at] = (c & 1) ? INFINITY : NAN;
                    for (int m = 0; m < nim; m++) {
                        double loss;
                        im[m].fn(x, q4, q2, n, d, k, A, h, &loss, g);
                        bool all = isnan(loss);
                        for (size_t i = 0; i < k * d; i++) all = all && isnan(g[i]);
                        CHECKF(all, "%s k=%zu d=%zu n=%zu: non-finite x must give NaN everywhere", im[m].name, k,
                               d, n);
                    }
                    x[at] = keep;
                    q2[n - 1] = NAN;
                    double loss;
                    im[nim - 1].fn(x, q4, q2, n, d, k, A, h, &loss, g);
                    CHECK(isnan(loss) && isnan(g[0]));
                }
                free(wg);
                free(sg);
                rf_free(xb);
                rf_free(qb);
                rf_free(Ab);
                rf_free(gb);
            }
}

/* ---- population form (eq. 7) -------------------------------------------------------------------- */

/* pi_m = E[softmax_m(z_1, z_2, 0)], z iid N(0, 1) (k = 3, w*_i = e_{k+i}): trapezoid rule on
 * [-9, 9]^2, exponentially accurate for this smooth Gaussian integrand. */
static void gate_means_k3(double pi[3])
{
    const double h = 0.02, lim = 9.0;
    double s[3] = {0, 0, 0}, tot = 0.0;
    for (double z1 = -lim; z1 <= lim + 1e-9; z1 += h)
        for (double z2 = -lim; z2 <= lim + 1e-9; z2 += h) {
            const double w = exp(-0.5 * (z1 * z1 + z2 * z2));
            const double m = fmax(fmax(z1, z2), 0.0);
            const double e1 = exp(z1 - m), e2 = exp(z2 - m), e3 = exp(-m), den = e1 + e2 + e3;
            s[0] += w * e1 / den;
            s[1] += w * e2 / den;
            s[2] += w * e3 / den;
            tot += w;
        }
    for (int m = 0; m < 3; m++) pi[m] = s[m] / tot;
}

typedef struct stream_stats {
    double mean, m2; /* running mean and sum of squared deviations (Welford) */
    size_t count;
} stream_stats;

static void stats_add(stream_stats *s, double v)
{
    s->count++;
    const double dlt = v - s->mean;
    s->mean += dlt / (double)s->count;
    s->m2 += dlt * (v - s->mean);
}

static double stats_se(const stream_stats *s)
{
    return sqrt(s->m2 / (double)(s->count - 1) / (double)s->count);
}

static void test_population(void)
{
    rf_moe_spec spec;
    uint64_t nprs;
    char err[256];
    rf_moe_model model;
    rf_moe_cqt cqt;
    if (!rf_moe_preset("003-l4", &spec, &nprs, err, sizeof err) || !rf_moe_model_make(&spec, &model, err, sizeof err) ||
        !rf_moe_cqt_solve(RF_MOE_G_LINEAR, spec.sigma, &cqt, err, sizeof err)) {
        CHECKF(0, "model: %s", err);
        return;
    }
    enum { K = 3, D = 10, BATCH = 10000, NB = 100 };
    CHECK(spec.k == K && spec.d == D);
    CHECKF(fabs(cqt.c4 - 24.0) < 1e-9 && fabs(cqt.cq2 - 2.0) < 1e-9, "c4 %.17g cq2 %.17g", cqt.c4, cqt.cq2);
    double pi[3];
    gate_means_k3(pi);
    const double mu = 0.5, lambda = 2.0, delta = 0.01;
    /* Evaluation points: A near A* without components on e_3, e_4 (the span of w*), and A* itself. */
    double Apt[K * D], Astar[K * D];
    for (size_t i = 0; i < K * D; i++) {
        const size_t b = i % D;
        Astar[i] = model.A[i];
        Apt[i] = model.A[i] + 0.3 * rf_test_gauss(&rng);
        (void)b;
    }
    const double *pts[2] = {Apt, Astar};
    double *x = malloc((size_t)BATCH * D * sizeof *x), *y = malloc(BATCH * sizeof *y);
    double *q4 = malloc(BATCH * sizeof *q4), *q2 = malloc(BATCH * sizeof *q2);
    stream_stats lin[2] = {{0}}, gl[2][K * D], e[2][K], ex[2][K * D];
    memset(gl, 0, sizeof gl);
    memset(e, 0, sizeof e);
    memset(ex, 0, sizeof ex);
    const double h0[RF_L4_NHYPER] = {cqt.c4, cqt.cq2, mu, 0.0, delta};
    for (int bt = 0; bt < NB; bt++) {
        rf_moe_sample(&model, (uint64_t)bt * BATCH, BATCH, x, y, NULL);
        for (size_t s = 0; s < BATCH; s++) {
            q4[s] = rf_moe_poly(cqt.q4, 4, y[s]);
            q2[s] = rf_moe_poly(cqt.q2, 2, y[s]);
        }
        for (int p = 0; p < 2; p++) {
            const double *A = pts[p];
            double loss, g[K * D];
            rf_moe_l4_grad_f64(x, q4, q2, BATCH, D, K, A, h0, &loss, g);
            stats_add(&lin[p], loss);
            for (size_t i = 0; i < K * D; i++) stats_add(&gl[p][i], g[i]);
            /* e_i = E[q2 t3(a_i)] and E[q2 u_i x] - a_i E q2 (the lambda part, computed here). */
            for (size_t i = 0; i < K; i++) {
                double n2 = 0.0;
                for (size_t b = 0; b < D; b++) n2 += A[i * D + b] * A[i * D + b];
                double se = 0.0, sx[D] = {0}, sq2 = 0.0;
                for (size_t s = 0; s < BATCH; s++) {
                    double u = 0.0;
                    for (size_t b = 0; b < D; b++) u += A[i * D + b] * x[s * D + b];
                    se += q2[s] * (u * u - n2);
                    sq2 += q2[s];
                    for (size_t b = 0; b < D; b++) sx[b] += q2[s] * u * x[s * D + b];
                }
                stats_add(&e[p][i], se / BATCH / cqt.cq2);
                for (size_t b = 0; b < D; b++) stats_add(&ex[p][i * D + b], (sx[b] - A[i * D + b] * sq2) / BATCH);
            }
        }
    }
    for (int p = 0; p < 2; p++) {
        const double *A = pts[p];
        /* Eq. 7. */
        double pop = 0.0, frob = 0.0;
        for (size_t m = 0; m < K; m++) {
            double dots[K];
            for (size_t i = 0; i < K; i++) {
                dots[i] = 0.0;
                for (size_t b = 0; b < D; b++) dots[i] += model.A[m * D + b] * A[i * D + b];
            }
            for (size_t i = 0; i < K; i++) {
                for (size_t j = 0; j < K; j++)
                    if (j != i) pop += pi[m] * dots[i] * dots[i] * dots[j] * dots[j];
                pop -= mu * pi[m] * pow(dots[i], 4);
            }
        }
        for (size_t i = 0; i < K; i++) {
            double s = 0.0;
            for (size_t m = 0; m < K; m++) {
                double dt = 0.0;
                for (size_t b = 0; b < D; b++) dt += model.A[m * D + b] * A[i * D + b];
                s += pi[m] * dt * dt;
            }
            pop += lambda * (s - 1.0) * (s - 1.0);
        }
        for (size_t i = 0; i < K * D; i++) frob += A[i] * A[i];
        pop += 0.5 * delta * frob;
        double emp = lin[p].mean, se2 = stats_se(&lin[p]) * stats_se(&lin[p]);
        for (size_t i = 0; i < K; i++) {
            emp += lambda * (e[p][i].mean - 1.0) * (e[p][i].mean - 1.0);
            const double de = 2.0 * lambda * fabs(e[p][i].mean - 1.0) * stats_se(&e[p][i]);
            se2 += de * de;
        }
        const double tol = 4.0 * sqrt(se2) + 1e-3;
        printf("population (%s): L4 = %.6f over 10^6 samples, eq. 7 = %.6f, 4 SE = %.2g\n", p ? "A*" : "A near A*",
               emp, pop, 4.0 * sqrt(se2));
        CHECKF(fabs(emp - pop) <= tol, "L4 %.6f vs eq. 7 %.6f (tolerance %.3g)", emp, pop, tol);
        if (p == 1) {
            /* Gradient at the truth: radial only, (-4 mu pi_i + 4 lambda pi_i (pi_i - 1) + delta) e_i
             * (A* rows are e_0, e_1, e_2 of the basis preset). */
            int bad = 0;
            double worst = 0.0;
            for (size_t i = 0; i < K; i++)
                for (size_t b = 0; b < D; b++) {
                    const double want = b == i ? -4.0 * mu * pi[i] + 4.0 * lambda * pi[i] * (pi[i] - 1.0) + delta : 0.0;
                    const double kappa = 4.0 * lambda * (e[p][i].mean - 1.0) / cqt.cq2;
                    const double got = gl[p][i * D + b].mean + kappa * ex[p][i * D + b].mean;
                    const double se = hypot(stats_se(&gl[p][i * D + b]), kappa * stats_se(&ex[p][i * D + b]));
                    worst = fmax(worst, fabs(got - want) / se);
                    if (!(fabs(got - want) <= 4.0 * se + 1e-3)) bad++;
                }
            printf("gradient at A*: within %.2f standard errors of eq. 7's (-4 mu pi + 4 lambda pi (pi-1) + delta) e_i\n",
                   worst);
            CHECKF(bad == 0, "%d gradient entries at A* off eq. 7", bad);
        }
    }
    free(x);
    free(y);
    free(q4);
    free(q2);
    rf_moe_model_free(&model);
}

/* ---- L_log -------------------------------------------------------------------------------------- */

static void test_llog_fd(void)
{
    const size_t k = 3, d = 6, n = 400;
    const rf_moe_g gs[] = {RF_MOE_G_LINEAR, RF_MOE_G_TANH};
    for (int gi = 0; gi < 2; gi++) {
        double *x = malloc(n * d * sizeof *x), *y = malloc(n * sizeof *y), A[3 * 6], W[2 * 6], g[2 * 6], gd[2 * 6];
        for (size_t i = 0; i < n * d; i++) x[i] = rf_test_gauss(&rng);
        for (size_t i = 0; i < n; i++) y[i] = rf_test_gauss(&rng);
        for (size_t i = 0; i < k * d; i++) A[i] = rf_test_gauss(&rng) / 2.0;
        for (size_t i = 0; i < (k - 1) * d; i++) W[i] = rf_test_gauss(&rng) / 2.0;
        double v;
        CHECK(rf_moe_llog_f64(x, y, n, d, k, A, W, gs[gi], 0.7, &v, g) == 0);
        CHECK(isfinite(v));
        int bad = 0;
        for (size_t i = 0; i < (k - 1) * d; i++) {
            const double w0 = W[i], h = cbrt(U53) * fmax(1.0, fabs(w0));
            double fp, fm;
            W[i] = w0 + h;
            rf_moe_llog_f64(x, y, n, d, k, A, W, gs[gi], 0.7, &fp, gd);
            W[i] = w0 - h;
            rf_moe_llog_f64(x, y, n, d, k, A, W, gs[gi], 0.7, &fm, gd);
            W[i] = w0;
            const double fd = (fp - fm) / (2.0 * h);
            if (!(fabs(fd - g[i]) <= 1e-6 * fmax(fabs(g[i]), 1e-2))) {
                bad++;
                fprintf(stderr, "L_log entry %zu: grad %.17g fd %.17g\n", i, g[i], fd);
            }
        }
        CHECKF(bad == 0, "L_log (%s): %d gradient entries off the finite differences", rf_moe_g_name(gs[gi]), bad);
        /* Bad inputs. */
        CHECK(rf_moe_llog_f64(x, y, n, d, k, A, W, gs[gi], 0.0, &v, g) == -1 && isnan(v));
        CHECK(rf_moe_llog_f64(x, y, n, d, 1, A, W, gs[gi], 1.0, &v, g) == -1);
        x[5] = NAN;
        CHECK(rf_moe_llog_f64(x, y, n, d, k, A, W, gs[gi], 1.0, &v, g) == 0 && isnan(v) && isnan(g[0]));
        free(x);
        free(y);
    }
}

/* ---- drivers ------------------------------------------------------------------------------------ */

typedef struct rows_src {
    const double *x, *y;
    size_t d;
} rows_src;

static int rows_source(void *ctx, uint64_t first, size_t count, double *x, double *y)
{
    const rows_src *r = ctx;
    memcpy(x, r->x + first * r->d, count * r->d * sizeof *x);
    memcpy(y, r->y + first, count * sizeof *y);
    return 0;
}

static void test_sgd(void)
{
    rf_moe_spec spec;
    uint64_t total;
    char err[256];
    rf_moe_model model;
    if (!rf_moe_preset("003-l4", &spec, &total, err, sizeof err) || !rf_moe_model_make(&spec, &model, err, sizeof err)) {
        CHECKF(0, "model: %s", err);
        return;
    }
    const size_t k = spec.k, d = spec.d;
    double *x = malloc(total * d * sizeof *x), *y = malloc(total * sizeof *y);
    rf_moe_sample(&model, 0, total, x, y, NULL);
    rows_src src = {x, y, d};
    for (int opt = 0; opt < 2; opt++) {
        rf_moe_l4_run run = {0};
        run.k = k;
        run.d = d;
        CHECK(rf_moe_cqt_solve(spec.g, spec.sigma, &run.cqt, err, sizeof err));
        run.mu = 0.1;
        run.lambda = 2.0;
        run.delta = 1.0;
        run.source = rows_source;
        run.ctx = &src;
        run.total = total;
        run.batch = 1024;
        run.opt = opt ? RF_MOE_OPT_ADAM : RF_MOE_OPT_SGD;
        run.step = 0.002;
        run.iters = 2000;
        run.seed = 11;
        double *loss = malloc(run.iters * sizeof *loss), *its = malloc((run.iters + 1) * k * d * sizeof *its);
        run.loss = loss;
        run.iterates = its;
        /* A random start of its own (independent of what the other tests drew): N(0, 1/d) entries. */
        rng = 0x5eed0003ull + (uint64_t)opt;
        double A[RF_MOE_L4_MAX_K * 10];
        for (size_t i = 0; i < k * d; i++) A[i] = rf_test_gauss(&rng) / sqrt((double)d);
        const double e0 = rf_moe_ereg(A, model.A, (unsigned)k, (unsigned)d);
        const int st = rf_moe_sgd_l4(&run, A, err, sizeof err);
        CHECKF(st == 0, "%s", err);
        const double e1 = rf_moe_ereg(A, model.A, (unsigned)k, (unsigned)d);
        uint64_t first = run.iters + 1; /* first iterate with E_reg < 0.05 */
        for (uint64_t t = 0; t <= run.iters && first > run.iters; t++)
            if (rf_moe_ereg(its + t * k * d, model.A, (unsigned)k, (unsigned)d) < 0.05) first = t;
        CHECK(memcmp(its + run.iters * k * d, A, k * d * sizeof *A) == 0);
        printf("%s on L4 (mu 0.1, lambda 2, delta 1, batch 1024, step %g, %llu steps): E_reg %.4f -> %.5f "
               "(< 0.05 from step %llu), batch loss %.4f -> %.4f\n",
               opt ? "Adam" : "SGD", run.step, (unsigned long long)run.iters, e0, e1, (unsigned long long)first,
               loss[0], loss[run.iters - 1]);
        free(its);
        CHECKF(e1 < 0.05, "E_reg %.4f after %llu steps", e1, (unsigned long long)run.iters);
        free(loss);
    }
    /* Bad arguments. */
    rf_moe_l4_run bad = {0};
    bad.k = 3;
    bad.d = 10;
    double A[30] = {0};
    CHECK(rf_moe_sgd_l4(&bad, A, err, sizeof err) == -1 && err[0]);

    /* Projected GD on L_log with A = A*, from W = 0, R = 1 (|w*_i| = 1), 10^4 samples. */
    const size_t n = 10000, nw = (k - 1) * d;
    double W[2 * 10] = {0}, lossw[200];
    const int st = rf_moe_gd_llog(x, y, n, d, k, model.A, spec.g, spec.sigma, 2.0, 1.0, 200, W, lossw, err, sizeof err);
    CHECKF(st == 0, "%s", err);
    double dist = 0.0;
    for (size_t i = 0; i + 1 < k; i++) {
        double s = 0.0;
        for (size_t b = 0; b < d; b++) s += (W[i * d + b] - model.W[i * d + b]) * (W[i * d + b] - model.W[i * d + b]);
        dist = fmax(dist, sqrt(s));
    }
    printf("projected GD on L_log (alpha 2, R 1, 200 steps, n = 10000): max |w_i - w*_i| = %.4f, loss %.4f -> %.4f\n",
           dist, lossw[0], lossw[199]);
    /* From distance 1 (W = 0) to the sampling error of 10^4 samples (~0.12; 0.07 at 2 10^4). */
    CHECKF(dist < 0.2, "max |w_i - w*_i| = %.4f", dist);
    CHECK(lossw[199] < lossw[0]);
    (void)nw;
    free(x);
    free(y);
    rf_moe_model_free(&model);
}

int main(void)
{
    impl im[RF_MAX_IMPLS];
    const int nim = impls(im);
    test_fd_l4(im, nim);
    test_vs_oracle(im, nim);
    test_llog_fd();
    test_population();
    test_sgd();
    return rf_test_summary("test_moe_loss");
}
