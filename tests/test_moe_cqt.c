/* Gaussian moments and CQT coefficients (refast/moe.h, kernels/moe_cqt.c; SPEC §5.2, §9).
 *
 * Everything the solver produces is re-checked against this file's own, independent integration:
 * composite Gauss–Legendre in long double (20 nodes per panel of width 1) over [-14, 0] and
 * [0, 14], split at the kink z = 0 of relu and leaky_relu, of f(z) phi(z). The conditional moments
 * m_q(g) = E[(g + sigma eps)^q] are rebuilt here from the binomial expansion and E[eps^k], and g is
 * evaluated by other formulas than the library's (sigmoid through tanh, tanh through expm1).
 * The tail beyond |z| = 14 is below 1e-25 for every integrand here (degree <= 16 in z).
 *
 * Checks:
 *  - the Gauss–Hermite rule: weights sum to 1, moments of z^k exact, the closed forms for n = 2, 3;
 *    sigmoid/tanh tables change by < 1e-14 when the node count doubles (measured ~3e-18);
 *  - M(p,j) from the library against the integration (closed forms and quadrature alike);
 *  - for every g and sigma in {0.05, 0.1, 0.5, 1}: every condition E[S He_j] = 0 (j = 0 .. D-1)
 *    holds to 1e-10 relative to the magnitude of its terms, sum_q |t_q| E[|m_q(g(Z))| |He_j(Z)|]
 *    (the scale the integrals cancel from, as in SPEC §3's `sum` class), and absolutely to 1e-10;
 *    the c-constants agree with the integration and their correlation with He_D is >= 0.1
 *    (the smallest measured is 0.199, the solver refuses below 1e-6);
 *  - the closed forms of SPEC §5.2 for linear (P3 = y^3 - 3(1+s^2) y, P2 = y^2 - (1+s^2),
 *    Q4 = y^4 - 6(1+s^2) y^2 + 3(1+s^2)^2, so that E[Q4|Z] = He_4 and E[Q2|Z] = He_2; c3 = 6,
 *    c2 = c' = 2, c4 = 24), relu gamma = delta = -2 sqrt(2/pi), and SPEC §9's relu Q4 at sigma = 0.1;
 *  - refusals: a constant g, an even g (|z|), tables whose c-constant vanishes, a table that is no
 *    moment table, sigma <= 0 / NaN / inf, an absurd sigma that makes Q4 ill-conditioned;
 *  - `refast moe cqt`: output, --json, and exit 2 with one line for every bad input.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "moe/cqt_internal.h"
#include "refast/moe.h"
#include "json.h"
#include "testlib.h"
#include "moe/cqt.h"

static const double SIGMAS[] = {0.05, 0.1, 0.5, 1.0};
#define NSIGMAS (sizeof SIGMAS / sizeof SIGMAS[0])

/* ---- independent integration ----------------------------------------------------------------- */

#define GL_N 20
#define GL_PANELS 14 /* per side, width 1: 20 nodes integrate tanh (poles pi/2 away) to ~1e-30 */
#define GL_PANEL 1.0L
#define GL_L (GL_PANELS * GL_PANEL)
#define GRID_N (2 * GL_PANELS * GL_N)

/* The quadrature grid: nodes z, weights times phi(z), He_j(z); built once (long double is slow
 * where it is software quad, as on AArch64 under qemu). */
static long double grid_z[GRID_N], grid_wphi[GRID_N], grid_he[GRID_N][RF_MOE_MAX_J + 1];

/* E[(g + s eps)^q] = sum_k C(q,k) g^(q-k) s^k E[eps^k], E[eps^k] = (k-1)!! for even k. */
static long double cond_moment(unsigned q, long double g, long double s)
{
    static const long double binom[5][5] = {{1}, {1, 1}, {1, 2, 1}, {1, 3, 3, 1}, {1, 4, 6, 4, 1}};
    static const long double eps_moment[5] = {1, 0, 1, 0, 3};
    long double r = 0, sk = 1;
    for (unsigned k = 0; k <= q; k++, sk *= s) {
        long double gq = 1;
        for (unsigned e = 0; e < q - k; e++) gq *= g;
        r += binom[q][k] * gq * sk * eps_moment[k];
    }
    return r;
}

static long double he(unsigned j, long double z)
{
    long double prev = 0, cur = 1; /* He_{-1} = 0, He_0 = 1 */
    for (unsigned k = 0; k < j; k++) {
        const long double next = z * cur - (long double)k * prev;
        prev = cur;
        cur = next;
    }
    return cur;
}

/* Gauss–Legendre on [-1, 1] by Newton on the Legendre recurrence, then the panels of [-L, 0] and
 * [0, L] (0 is a panel boundary: the kink of relu and leaky_relu). */
static void grid_init(void)
{
    long double x[GL_N], w[GL_N];
    const long double pi = acosl(-1.0L);
    for (int i = 0; i < GL_N; i++) {
        long double xi = cosl(pi * ((long double)i + 0.75L) / (GL_N + 0.5L)), dp = 1;
        for (int it = 0; it < 100; it++) {
            long double p0 = 1, p1 = xi;
            for (int k = 2; k <= GL_N; k++) {
                const long double p2 = ((2 * k - 1) * xi * p1 - (k - 1) * p0) / k;
                p0 = p1;
                p1 = p2;
            }
            dp = GL_N * (xi * p1 - p0) / (xi * xi - 1);
            const long double step = p1 / dp;
            xi -= step;
            if (fabsl(step) < 1e-19L) break;
        }
        x[i] = xi;
        w[i] = 2 / ((1 - xi * xi) * dp * dp);
    }
    int n = 0;
    for (int side = -1; side <= 1; side += 2)
        for (int p = 0; p < GL_PANELS; p++)
            for (int i = 0; i < GL_N; i++) {
                const long double z = side * (p * GL_PANEL + GL_PANEL / 2 * (1 + x[i]));
                grid_z[n] = z;
                grid_wphi[n] = w[i] * GL_PANEL / 2 * expl(-z * z / 2) / sqrtl(2 * pi);
                for (unsigned j = 0; j <= RF_MOE_MAX_J; j++) grid_he[n][j] = he(j, z);
                n++;
            }
}

/* g by formulas independent of kernels/moe_g.c and kernels/moe_cqt.c; |z| is the even test g. */
#define G_ABS RF_MOE_G_COUNT
static long double g_indep(int g, long double z)
{
    switch (g) {
    case RF_MOE_G_LINEAR: return z;
    case RF_MOE_G_RELU: return z > 0 ? z : 0;
    case RF_MOE_G_LEAKY_RELU: return z > 0 ? z : z / 100;
    case RF_MOE_G_SIGMOID: return (1 + tanhl(z / 2)) / 2;
    case RF_MOE_G_TANH: {
        const long double a = fabsl(z), t = -expm1l(-2 * a) / (1 + expl(-2 * a));
        return z < 0 ? -t : t;
    }
    default: return fabsl(z);
    }
}

/* M(p,j) for p <= 8, j <= 4 by integration. */
static void indep_table(int g, rf_moe_moments *t)
{
    memset(t, 0, sizeof *t);
    for (int i = 0; i < GRID_N; i++) {
        const long double gi = g_indep(g, grid_z[i]);
        long double gp = grid_wphi[i];
        for (unsigned p = 0; p <= RF_MOE_TABLE_P; p++, gp *= gi)
            for (unsigned j = 0; j <= RF_MOE_MAX_J; j++) t->m[p][j] += gp * grid_he[i][j];
    }
}

/* For the transform t of degree D under (g, sigma): value[j] = E[S He_j] and mag[j] =
 * E[sum_q |t_q m_q(g)| |He_j|] for j <= D, and E[S^2]. */
static void integrate_transform(int g, long double sigma, const double *t, unsigned D, long double value[5],
                                long double mag[5], long double *second)
{
    for (unsigned j = 0; j <= D; j++) value[j] = mag[j] = 0;
    *second = 0;
    for (int i = 0; i < GRID_N; i++) {
        const long double gi = g_indep(g, grid_z[i]);
        long double sv = 0, sm = 0;
        for (unsigned q = 0; q <= D; q++) {
            const long double term = t[q] * cond_moment(q, gi, sigma);
            sv += term;
            sm += fabsl(term);
        }
        for (unsigned j = 0; j <= D; j++) {
            value[j] += grid_wphi[i] * sv * grid_he[i][j];
            mag[j] += grid_wphi[i] * sm * fabsl(grid_he[i][j]);
        }
        *second += grid_wphi[i] * sv * sv;
    }
}

/* ---- the Gauss–Hermite rule -------------------------------------------------------------------- */

static void test_gh_rule(void)
{
    static const unsigned ns[] = {1, 2, 3, 7, 20, 64, RF_MOE_GH_NODES};
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++) {
        const unsigned n = ns[a];
        long double *x = malloc(n * sizeof *x), *w = malloc(n * sizeof *w);
        rf_moe_gh_rule(n, x, w);
        long double sumw = 0;
        bool ascending = true;
        for (unsigned i = 0; i < n; i++) {
            sumw += w[i];
            if (i && !(x[i] > x[i - 1])) ascending = false;
        }
        CHECKF(fabsl(sumw - 1) < 1e-17L, "n=%u: sum of weights - 1 = %.3Le", n, sumw - 1);
        CHECKF(ascending, "n=%u: nodes ascending and distinct", n);
        /* exact for z^k, k <= 2n - 1 (checked up to 40): E[Z^k] = (k-1)!! or 0 */
        long double worst = 0;
        for (unsigned k = 0; k <= 2 * n - 1 && k <= 40; k++) {
            long double q = 0, scale = 0, exact = 0;
            for (unsigned i = 0; i < n; i++) {
                q += w[i] * powl(x[i], (long double)k);
                scale += w[i] * powl(fabsl(x[i]), (long double)k); /* what odd k cancels from */
            }
            if (k % 2 == 0) {
                exact = 1;
                for (unsigned f = k - 1; k && f > 1; f -= 2) exact *= f;
            }
            const long double e = fabsl(q - exact) / scale;
            if (e > worst) worst = e;
        }
        CHECKF(worst < 1e-15L, "n=%u: max relative error on E[Z^k] = %.3Le", n, worst);
        free(x);
        free(w);
    }
    long double x[3], w[3];
    rf_moe_gh_rule(2, x, w);
    CHECK(fabsl(x[0] + 1) < 1e-18L && fabsl(x[1] - 1) < 1e-18L && fabsl(w[0] - 0.5L) < 1e-18L);
    rf_moe_gh_rule(3, x, w);
    CHECK(x[1] == 0 && fabsl(x[2] - sqrtl(3)) < 1e-18L && fabsl(w[1] - 2.0L / 3) < 1e-18L &&
          fabsl(w[0] - 1.0L / 6) < 1e-18L);

    /* doubling the node count: the production tables for sigmoid and tanh do not move */
    long double *x2 = malloc(2 * RF_MOE_GH_NODES * sizeof *x2), *w2 = malloc(2 * RF_MOE_GH_NODES * sizeof *w2);
    rf_moe_gh_rule(2 * RF_MOE_GH_NODES, x2, w2);
    for (int g = RF_MOE_G_SIGMOID; g <= RF_MOE_G_TANH; g++) {
        rf_moe_moments a, b;
        CHECK(rf_moe_gh_table((rf_moe_g)g, RF_MOE_GH_NODES, &a));
        rf_moe_gh_table_rule((rf_moe_g)g, 2 * RF_MOE_GH_NODES, x2, w2, &b);
        long double d = 0;
        for (unsigned p = 0; p <= RF_MOE_TABLE_P; p++)
            for (unsigned j = 0; j <= RF_MOE_MAX_J; j++) d = fmaxl(d, fabsl(a.m[p][j] - b.m[p][j]));
        printf("  %s: max |M_%u - M_%u| = %.3Le\n", rf_moe_g_name((rf_moe_g)g), RF_MOE_GH_NODES, 2 * RF_MOE_GH_NODES, d);
        CHECKF(d < 1e-14L, "%s: doubling the nodes moves M by %.3Le", rf_moe_g_name((rf_moe_g)g), d);
    }
    free(x2);
    free(w2);
    rf_moe_moments t;
    CHECK(!rf_moe_gh_table(RF_MOE_G_COUNT, 10, &t));
    CHECK(!rf_moe_gh_table(RF_MOE_G_TANH, 0, &t));
}

/* ---- moments ------------------------------------------------------------------------------------ */

static void test_moments(void)
{
    for (int g = 0; g < RF_MOE_G_COUNT; g++) {
        rf_moe_moments lib, ind;
        rf_moe_moment_table((rf_moe_g)g, &lib);
        indep_table(g, &ind);
        long double worst = 0, worst_pub = 0;
        for (unsigned p = 0; p <= RF_MOE_TABLE_P; p++)
            for (unsigned j = 0; j <= RF_MOE_MAX_J; j++) {
                const long double scale = 1 + fabsl(ind.m[p][j]);
                worst = fmaxl(worst, fabsl(lib.m[p][j] - ind.m[p][j]) / scale);
                if (p <= RF_MOE_MAX_P)
                    worst_pub = fmaxl(worst_pub, fabsl(rf_moe_gauss_moment((rf_moe_g)g, p, j) - ind.m[p][j]) / scale);
            }
        printf("  %s: max |M_lib - M_integrated| / (1 + |M|) = %.3Le\n", rf_moe_g_name((rf_moe_g)g), worst);
        CHECKF(worst < 1e-14L, "%s: table vs integration %.3Le", rf_moe_g_name((rf_moe_g)g), worst);
        CHECKF(worst_pub < 1e-14L, "%s: rf_moe_gauss_moment vs integration %.3Le", rf_moe_g_name((rf_moe_g)g), worst_pub);
    }
    /* a few values by hand: relu E[g Z] = 1/2, E[g^2 Z] = sqrt(2/pi); linear E[Z^4 He_4] = 24 */
    CHECK(rf_moe_gauss_moment(RF_MOE_G_RELU, 1, 1) == 0.5);
    CHECK(fabs(rf_moe_gauss_moment(RF_MOE_G_RELU, 2, 1) - sqrt(2 / acos(-1.0))) < 1e-16);
    CHECK(rf_moe_gauss_moment(RF_MOE_G_LINEAR, 4, 4) == 24);
    CHECK(rf_moe_gauss_moment(RF_MOE_G_LINEAR, 0, 0) == 1);
    CHECK(isnan(rf_moe_gauss_moment(RF_MOE_G_LINEAR, 5, 0)));
    CHECK(isnan(rf_moe_gauss_moment(RF_MOE_G_LINEAR, 0, 5)));
    CHECK(isnan(rf_moe_gauss_moment(RF_MOE_G_COUNT, 1, 1)));
}

/* ---- the conditions, for every g and sigma ---------------------------------------------------- */

static void test_conditions(void)
{
    static const unsigned deg[4] = {3, 2, 4, 2};
    static const char *const tname[4] = {"P3", "P2", "Q4", "Q2"};
    static const long double fact[5] = {1, 1, 2, 6, 24};
    long double worst_rel = 0, worst_abs = 0, min_corr = 1;
    for (int g = 0; g < RF_MOE_G_COUNT; g++)
        for (size_t si = 0; si < NSIGMAS; si++) {
            const double sigma = SIGMAS[si];
            rf_moe_cqt r;
            char err[256];
            const bool ok = rf_moe_cqt_solve((rf_moe_g)g, sigma, &r, err, sizeof err);
            CHECKF(ok, "%s sigma=%g: %s", rf_moe_g_name((rf_moe_g)g), sigma, err);
            if (!ok) continue;
            CHECK(r.g == (rf_moe_g)g && r.sigma == sigma && r.nresid == 11);
            const double *t[4] = {r.p3, r.p2, r.q4, r.q2};
            const double c[4] = {r.c3, r.c2, r.c4, r.cq2};
            unsigned ri = 0;
            for (unsigned tr = 0; tr < 4; tr++) {
                const unsigned D = deg[tr];
                CHECKF(t[tr][D] == 1, "%s: leading coefficient %g", tname[tr], t[tr][D]);
                long double v[5], mag[5], var;
                integrate_transform(g, sigma, t[tr], D, v, mag, &var);
                for (unsigned j = 0; j < D; j++) {
                    const long double rel = fabsl(v[j]) / mag[j];
                    worst_rel = fmaxl(worst_rel, rel);
                    worst_abs = fmaxl(worst_abs, fabsl(v[j]));
                    CHECKF(rel <= 1e-10L && fabsl(v[j]) <= 1e-10L, "%s sigma=%g %s: E[S He_%u] = %.3Le (terms %.3Le)",
                           rf_moe_g_name((rf_moe_g)g), sigma, tname[tr], j, v[j], mag[j]);
                    /* the solver's own residual names this condition and is tiny too */
                    CHECKF(ri < r.nresid && strstr(r.resid_name[ri], tname[tr]) &&
                               fabs(r.resid[ri]) <= 1e-13 * (double)mag[j],
                           "%s resid[%u]", tname[tr], ri);
                    ri++;
                }
                CHECKF(fabsl(c[tr] - v[D]) <= 1e-10L * mag[D], "%s sigma=%g: c = %.17g, integrated %.17Lg", tname[tr],
                       sigma, c[tr], v[D]);
                const long double corr = v[D] / sqrtl(var * fact[D]);
                min_corr = fminl(min_corr, fabsl(corr));
                CHECKF(fabsl(corr) >= 0.1L, "%s sigma=%g %s: corr(S, He_%u) = %.3Lg", rf_moe_g_name((rf_moe_g)g), sigma,
                       tname[tr], D, corr);
            }
        }
    printf("  conditions: max |E[S He_j]| = %.3Le, max relative to the terms = %.3Le; min |corr(S, He_D)| = %.3Lg\n",
           worst_abs, worst_rel, min_corr);
}

/* ---- closed forms ---------------------------------------------------------------------------------- */

static bool near(double got, double want, double tol)
{
    return fabs(got - want) <= tol * (1 + fabs(want));
}

static void test_closed_forms(void)
{
    for (size_t si = 0; si < NSIGMAS; si++) {
        const double s = SIGMAS[si], v = 1 + s * s;
        rf_moe_cqt r;
        char err[256];
        CHECK(rf_moe_cqt_solve(RF_MOE_G_LINEAR, s, &r, err, sizeof err));
        CHECKF(near(r.p3[0], 0, 1e-15) && near(r.p3[1], -3 * v, 1e-15) && near(r.p3[2], 0, 1e-15) && r.p3[3] == 1,
               "linear P3 sigma=%g: %g %g %g", s, r.p3[0], r.p3[1], r.p3[2]);
        CHECKF(near(r.p2[0], -v, 1e-15) && near(r.p2[1], 0, 1e-15) && r.p2[2] == 1, "linear P2 sigma=%g", s);
        CHECKF(near(r.q4[0], 3 * v * v, 1e-15) && near(r.q4[1], 0, 1e-15) && near(r.q4[2], -6 * v, 1e-15) &&
                   near(r.q4[3], 0, 1e-15) && r.q4[4] == 1,
               "linear Q4 sigma=%g: %g %g %g %g", s, r.q4[0], r.q4[1], r.q4[2], r.q4[3]);
        CHECKF(near(r.q2[0], -v, 1e-15) && near(r.q2[1], 0, 1e-15), "linear Q2 sigma=%g", s);
        CHECKF(near(r.c3, 6, 1e-15) && near(r.c2, 2, 1e-15) && near(r.c4, 24, 1e-15) && near(r.cq2, 2, 1e-15),
               "linear c3 %g c2 %g c4 %g c' %g", r.c3, r.c2, r.c4, r.cq2);
        /* E[Q4(y)|Z=z] = He_4(z), E[Q2(y)|Z=z] = He_2(z), E[P3(y)|Z=z] = He_3(z) pointwise */
        for (double z = -3; z <= 3; z += 0.75) {
            long double s4 = 0, s2 = 0, s3 = 0;
            for (unsigned q = 0; q <= 4; q++) s4 += r.q4[q] * cond_moment(q, z, s);
            for (unsigned q = 0; q <= 2; q++) s2 += r.q2[q] * cond_moment(q, z, s);
            for (unsigned q = 0; q <= 3; q++) s3 += r.p3[q] * cond_moment(q, z, s);
            CHECKF(fabsl(s4 - he(4, z)) < 1e-12L && fabsl(s2 - he(2, z)) < 1e-13L && fabsl(s3 - he(3, z)) < 1e-13L,
                   "linear sigma=%g z=%g: E[Q4|Z] - He_4 = %.3Le", s, z, s4 - he(4, z));
        }

        CHECK(rf_moe_cqt_solve(RF_MOE_G_RELU, s, &r, err, sizeof err));
        const double want = -2 * sqrt(2 / acos(-1.0));
        CHECKF(near(r.p2[1], want, 1e-15) && near(r.q2[1], want, 1e-15), "relu gamma %.17g delta %.17g", r.p2[1],
               r.q2[1]);
    }
    /* SPEC §9: relu, sigma = 0.1, Q4 (alpha, beta, gamma) close to (-5.3525, 8.0650, -3.1307) */
    rf_moe_cqt r;
    char err[256];
    CHECK(rf_moe_cqt_solve(RF_MOE_G_RELU, 0.1, &r, err, sizeof err));
    CHECKF(fabs(r.q4[3] + 5.3525) <= 0.5e-4 && fabs(r.q4[2] - 8.0650) <= 0.5e-4 && fabs(r.q4[1] + 3.1307) <= 0.5e-4,
           "relu Q4 sigma=0.1: (%.6f, %.6f, %.6f)", r.q4[3], r.q4[2], r.q4[1]);
    /* sigmoid - 1/2 is odd, so the transforms are polynomials in y - 1/2: P3 alpha = -3/2,
     * P2 gamma = -1, Q4 alpha = -2 exactly (a check that does not come from the solver's algebra) */
    CHECK(rf_moe_cqt_solve(RF_MOE_G_SIGMOID, 0.5, &r, err, sizeof err));
    CHECKF(near(r.p3[2], -1.5, 1e-13) && near(r.p2[1], -1, 1e-13) && near(r.q4[3], -2, 1e-13),
           "sigmoid: %.17g %.17g %.17g", r.p3[2], r.p2[1], r.q4[3]);
    /* tanh is odd: every odd-even coupling vanishes, alpha = gamma = 0 */
    CHECK(rf_moe_cqt_solve(RF_MOE_G_TANH, 0.5, &r, err, sizeof err));
    CHECK(fabs(r.p3[2]) < 1e-15 && fabs(r.p2[1]) < 1e-15 && fabs(r.q4[3]) < 1e-15 && fabs(r.q4[1]) < 1e-15);
}

/* ---- refusals ------------------------------------------------------------------------------------------ */

static void expect_refusal(const rf_moe_moments *t, const char *label, double sigma, const char *what)
{
    rf_moe_cqt r;
    char err[256] = "";
    const bool ok = rf_moe_cqt_solve_moments(t, label, sigma, &r, NULL, err, sizeof err);
    CHECKF(!ok && strstr(err, what) && strstr(err, label) && !strchr(err, '\n'), "%s: expected '%s', got ok=%d '%s'",
           label, what, ok, err);
}

static void test_refusals(void)
{
    rf_moe_moments t;
    /* g = 3, constant: y does not depend on Z */
    memset(&t, 0, sizeof t);
    for (unsigned p = 0; p <= RF_MOE_TABLE_P; p++) t.m[p][0] = powl(3, (long double)p);
    expect_refusal(&t, "constant", 0.1, "singular");
    /* g = |z|, even: E[g He_1] = E[g'] = 0, moments by the (noisy) independent integration */
    indep_table(G_ABS, &t);
    expect_refusal(&t, "abs", 0.1, "singular");
    /* c3 vanishes: the linear table with E[Z^3 He_3] = 0 (P3's system does not use it) */
    rf_moe_moment_table(RF_MOE_G_LINEAR, &t);
    t.m[3][3] = 0;
    expect_refusal(&t, "no-c3", 0.1, "c3 = E[S He_3] of P3 vanishes");
    /* c4 vanishes: E[Z^4 He_4] = 0 leaves P3, P2 and the Q4 system intact */
    rf_moe_moment_table(RF_MOE_G_LINEAR, &t);
    t.m[4][4] = 0;
    expect_refusal(&t, "no-c4", 0.1, "c4 = E[S He_4] of Q4 vanishes");
    /* not a moment table */
    rf_moe_moment_table(RF_MOE_G_RELU, &t);
    t.m[0][0] = 2;
    expect_refusal(&t, "bad", 0.1, "not a moment table");
    rf_moe_moment_table(RF_MOE_G_RELU, &t);
    t.m[2][3] = NAN;
    expect_refusal(&t, "nan", 0.1, "not finite");
    /* the unmodified tables pass through the same entry point */
    rf_moe_moment_table(RF_MOE_G_LINEAR, &t);
    rf_moe_cqt r;
    rf_moe_cqt_diag d;
    char err[256];
    CHECK(rf_moe_cqt_solve_moments(&t, "linear", 0.1, &r, &d, err, sizeof err) && r.g == RF_MOE_G_COUNT);
    CHECK(d.cond[1] == 1 && fabs(d.corr[2] - 1) < 1e-15);

    static const double bad_sigma[] = {0, -1, NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof bad_sigma / sizeof bad_sigma[0]; i++) {
        err[0] = 0;
        CHECKF(!rf_moe_cqt_solve(RF_MOE_G_RELU, bad_sigma[i], &r, err, sizeof err) && strstr(err, "sigma"),
               "sigma=%g: '%s'", bad_sigma[i], err);
    }
    CHECK(!rf_moe_cqt_solve(RF_MOE_G_COUNT, 0.1, &r, err, sizeof err));
    /* sigma = 1000 drowns sigmoid (range 1): the y^3 and y columns of Q4 align (kappa ~ 2e8) */
    CHECKF(!rf_moe_cqt_solve(RF_MOE_G_SIGMOID, 1000, &r, err, sizeof err) && strstr(err, "Q4") &&
               strstr(err, "ill-conditioned"),
           "sigmoid sigma=1000: '%s'", err);
}

/* ---- g and the polynomial ---------------------------------------------------------------------------- */

static void test_g_and_poly(void)
{
    for (int g = 0; g < RF_MOE_G_COUNT; g++) {
        rf_moe_g back;
        CHECK(rf_moe_g_parse(rf_moe_g_name((rf_moe_g)g), &back) && back == (rf_moe_g)g);
        CHECK(isnan(rf_moe_g_eval((rf_moe_g)g, NAN)));
        for (double z = -5; z <= 5; z += 0.25)
            CHECKF(fabs(rf_moe_g_eval((rf_moe_g)g, z) - (double)g_indep(g, z)) <= 2e-16,
                   "%s(%g)", rf_moe_g_name((rf_moe_g)g), z);
    }
    rf_moe_g g;
    CHECK(!rf_moe_g_parse("ReLU", &g) && !rf_moe_g_parse("", &g) && !rf_moe_g_parse(NULL, &g) &&
          !rf_moe_g_parse("relu ", &g));
    CHECK(rf_moe_g_eval(RF_MOE_G_LEAKY_RELU, -2) == -0.02 && rf_moe_g_eval(RF_MOE_G_RELU, -2) == 0);
    CHECK(rf_moe_g_eval(RF_MOE_G_SIGMOID, -800) == 0 && rf_moe_g_eval(RF_MOE_G_SIGMOID, 800) == 1 &&
          rf_moe_g_eval(RF_MOE_G_SIGMOID, 0) == 0.5);
    const double c[5] = {1, -2, 3, 0.5, -1};
    CHECK(rf_moe_poly(c, 4, 2) == 1 - 4 + 12 + 4 - 16);
    CHECK(rf_moe_poly(c, 0, 7) == 1);
}

/* ---- the command ------------------------------------------------------------------------------------------ */

static char out[1 << 16], err[4096];

static void expect_usage(const char *what, int rc)
{
    CHECKF(rc == 2 && rf_test_lines(err) == 1 && out[0] == 0, "%s: rc=%d, stderr '%s'", what, rc, err);
}

static void test_cli(void)
{
    int rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "cqt", "--g", "relu", "--sigma", "0.1", NULL);
    CHECKF(rc == 0 && strstr(out, "g = relu, sigma = 0.1") && strstr(out, "alpha = -5.3524826731") &&
               strstr(out, "c4") && strstr(out, "c'") && strstr(out, "Q4: E[S He_3]") && strstr(out, "Q2: E[S He_1]"),
           "moe cqt relu: rc=%d\n%s%s", rc, out, err);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "cqt", "--g=tanh", "--sigma=1", "--json", NULL);
    CHECKF(rc == 0 && strstr(out, "{\"g\":\"tanh\",\"sigma\":1,") && strstr(out, "\"c_prime\":") &&
               strstr(out, "\"Q4: E[S He_3]\":"),
           "moe cqt --json: rc=%d '%s' '%s'", rc, out, err);
    char path[512];
    snprintf(path, sizeof path, "%s/cqt.json", rf_test_tmpdir());
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "cqt", "--json", path, "--g", "sigmoid", "--sigma", "0.5",
                     NULL);
    FILE *f = fopen(path, "r");
    char buf[4096] = "";
    if (f) {
        buf[fread(buf, 1, sizeof buf - 1, f)] = 0;
        fclose(f);
    }
    CHECKF(rc == 0 && out[0] == 0 && strstr(buf, "\"g\":\"sigmoid\"") && strstr(buf, "\"P3\":{\"coefficients\":["),
           "moe cqt --json FILE: rc=%d '%s'", rc, err);
    /* well-formed, every moment row complete (a refactor once dropped the first element of each
     * array and the first residual's name) */
    char jerr[256];
    rf_json *doc = rf_json_parse(buf, strlen(buf), jerr, sizeof jerr);
    const rf_json *mom = doc ? rf_json_get(doc, "moments") : NULL, *res = doc ? rf_json_get(doc, "residuals") : NULL;
    CHECKF(mom && mom->count == RF_MOE_MAX_P + 1 && mom->items[0].count == RF_MOE_MAX_J + 1 && res && res->count > 0,
           "moe cqt JSON: %s", doc ? "incomplete" : jerr);
    rf_json_free(doc);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "cqt", "--help", NULL);
    CHECK(rc == 0 && strstr(out, "usage: refast moe cqt"));

    expect_usage("unknown g", rf_test_cli(out, sizeof out, err, sizeof err, "moe", "cqt", "--g", "swish", "--sigma", "1", NULL));
    CHECK(strstr(err, "unknown --g 'swish'") != NULL);
    expect_usage("missing g", rf_test_cli(out, sizeof out, err, sizeof err, "moe", "cqt", "--sigma", "1", NULL));
    expect_usage("missing sigma", rf_test_cli(out, sizeof out, err, sizeof err, "moe", "cqt", "--g", "relu", NULL));
    expect_usage("--g without value", rf_test_cli(out, sizeof out, err, sizeof err, "moe", "cqt", "--sigma", "1", "--g", NULL));
    static const char *const bad[] = {"0", "-1", "nan", "inf", "abc", "1e400", "", "0x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "cqt", "--g", "relu", "--sigma", bad[i], NULL);
        expect_usage(bad[i], rc);
        CHECKF(strstr(err, "--sigma") != NULL, "sigma '%s': '%s'", bad[i], err);
    }
    expect_usage("stray argument",
                 rf_test_cli(out, sizeof out, err, sizeof err, "moe", "cqt", "--g", "relu", "--sigma", "1", "extra", NULL));
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "cqt", "--g", "sigmoid", "--sigma", "1000", NULL);
    expect_usage("ill-conditioned", rc);
    CHECKF(strstr(err, "g=sigmoid sigma=1000: the Q4 system is singular") != NULL, "'%s'", err);
    rc = rf_test_cli(out, sizeof out, err, sizeof err, "moe", "cqt", "--g", "relu", "--sigma", "1", "--json",
                     "/nonexistent/dir/x.json", NULL);
    expect_usage("unwritable json", rc);
}

int main(void)
{
    grid_init();
    /* the integrator itself: total mass 1, E[Z^8] = 105, E[Z^4 He_4] = 24 */
    rf_moe_moments lin;
    indep_table(RF_MOE_G_LINEAR, &lin);
    CHECKF(fabsl(lin.m[0][0] - 1) < 1e-18L && fabsl(lin.m[8][0] - 105) < 1e-15L && fabsl(lin.m[4][4] - 24) < 1e-16L,
           "integrator: mass - 1 = %.3Le, E[Z^8] - 105 = %.3Le", lin.m[0][0] - 1, lin.m[8][0] - 105);

    test_gh_rule();
    test_moments();
    test_conditions();
    test_closed_forms();
    test_refusals();
    test_g_and_poly();
    test_cli();
    return rf_test_summary("test_moe_cqt");
}
