/* Tests of refast/moe_pipeline.h: the assignment solvers and metrics, the method of moments of seed
 * 001 Theorem 3, the Gaussian-mixture score tensors, the gating M-step / Algorithm 2, joint EM and
 * the l2 loss gradient.
 *   - Hungarian == exhaustive minimum for k = 1..8 on random matrices, == brute force for k = 9, 10;
 *     bottleneck assignment == brute force for k = 3..10 (k >= 9 takes the threshold path).
 *   - E(A, W): 0 for every relabelling of the truth (re-referenced W), invariant under relabellings
 *     that keep the reference expert, >= the brute-force minimum for k = 9 (and equal near the truth).
 *   - MoM: on the seed 001 §4.2 orthogonal setting with the true regressors and n = 2e5, the signed
 *     <w, w*> > 0.9 (GatingFit > 0.9 and the sign convention); swapping a_1 and a_2 flips it.
 *   - GMM score: S_2, S_3 of the accumulator against (-1)^m grad^m p / p at single points, with
 *     grad^2 p by finite differences of p and grad^3 p by finite differences of the closed-form
 *     grad^2 p; over 2e5 samples: E[S_m] = 0 and the Stein identity E[f S_m] = E[grad^m f] for
 *     f = <u,x>^m within 5 standard errors, and the same checks with the Gaussian (Hermite) score
 *     must fail (power).
 *   - Algorithm 2 with the true regressors recovers w (GatingFit > 0.95); the Newton M-step's Q does
 *     not decrease; the l2 gradient used by SGD decreases the loss. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refast/moe.h"
#include "moe_sums.h"
#include "refast/moe_moments.h"
#include "moe/pipeline.h"
#include "testlib.h"
#include "moe/model.h"
#include "moe/tacc.h"

static uint64_t lcg_state = 12345;
static double urand(void)
{
    lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(lcg_state >> 11) * 0x1p-53;
}

/* ---- assignment ---- */
typedef struct brute {
    unsigned n, cur[16];
    bool used[16];
    double best_sum, best_min;
} brute;

static void brute_rec(brute *b, const double *m, unsigned i, double sum, double mn)
{
    if (i == b->n) {
        b->best_sum = fmin(b->best_sum, sum);
        b->best_min = fmax(b->best_min, mn);
        return;
    }
    for (unsigned j = 0; j < b->n; j++) {
        if (b->used[j]) continue;
        b->used[j] = true;
        brute_rec(b, m, i + 1, sum + m[i * b->n + j], fmin(mn, m[i * b->n + j]));
        b->used[j] = false;
    }
}

static void test_assignment(void)
{
    double m[16 * 16];
    unsigned perm[16];
    for (unsigned n = 1; n <= 10; n++) {
        const unsigned reps = n <= 8 ? 20 : 2;
        for (unsigned r = 0; r < reps; r++) {
            for (unsigned e = 0; e < n * n; e++) m[e] = urand();
            if (r == 1)
                for (unsigned e = 0; e < n * n; e++) m[e] = floor(4 * m[e]); /* ties */
            brute b = {.n = n, .best_sum = INFINITY, .best_min = -INFINITY};
            brute_rec(&b, m, 0, 0, INFINITY);
            const double h = rf_mp_hungarian(m, n, perm);
            double chk = 0;
            bool isperm = true, seen[16] = {false};
            for (unsigned i = 0; i < n; i++) {
                chk += m[i * n + perm[i]];
                isperm &= perm[i] < n && !seen[perm[i]];
                if (perm[i] < n) seen[perm[i]] = true;
            }
            CHECKF(isperm && fabs(h - b.best_sum) < 1e-12 && fabs(chk - h) < 1e-12,
                   "hungarian n=%u rep %u: %.15g vs brute %.15g", n, r, h, b.best_sum);
            const double mm = rf_mp_maxmin_assign(m, n, perm);
            double mn = INFINITY;
            for (unsigned i = 0; i < n; i++) mn = fmin(mn, m[i * n + perm[i]]);
            CHECKF(mm == b.best_min && mn == mm, "maxmin n=%u rep %u: %.15g vs brute %.15g", n, r, mm, b.best_min);
        }
    }
}

/* ---- E(A, W) ---- */
static void relabel(const double *A, const double *W, unsigned k, unsigned d, const unsigned *s, double *A2, double *W2)
{
    /* estimate expert j = expert s[j] of (A, W); gating re-referenced to s[k-1] */
    for (unsigned j = 0; j < k; j++)
        for (unsigned t = 0; t < d; t++) {
            A2[j * d + t] = A[s[j] * d + t];
            const double wj = s[j] == k - 1 ? 0 : W[s[j] * d + t], wr = s[k - 1] == k - 1 ? 0 : W[s[k - 1] * d + t];
            W2[j * d + t] = wj - wr;
        }
}

static void shuffle(unsigned *p, unsigned n, bool keep_last)
{
    for (unsigned i = 0; i < n; i++) p[i] = i;
    const unsigned m = keep_last ? n - 1 : n;
    for (unsigned i = m; i > 1; i--) {
        const unsigned j = (unsigned)(urand() * i), t = p[i - 1];
        p[i - 1] = p[j];
        p[j] = t;
    }
}

typedef struct eaw_brute {
    unsigned k, d, cur[16];
    bool used[16];
    const double *A, *W, *At, *Wt;
    double best;
} eaw_brute;

static void eaw_brute_rec(eaw_brute *b, unsigned i)
{
    const unsigned k = b->k, d = b->d;
    if (i == k) {
        double sa = 0, sw = 0;
        const unsigned r = b->cur[k - 1];
        for (unsigned j = 0; j < k; j++)
            for (unsigned t = 0; t < d; t++) {
                const double ea = b->A[j * d + t] - b->At[b->cur[j] * d + t];
                const double wc = b->cur[j] == k - 1 ? 0 : b->Wt[b->cur[j] * d + t], wr = r == k - 1 ? 0 : b->Wt[r * d + t];
                const double ew = (j == k - 1 ? 0 : b->W[j * d + t]) - (wc - wr);
                sa += ea * ea;
                sw += ew * ew;
            }
        b->best = fmin(b->best, sqrt(sa) + sqrt(sw));
        return;
    }
    for (unsigned j = 0; j < k; j++) {
        if (b->used[j]) continue;
        b->used[j] = true;
        b->cur[i] = j;
        eaw_brute_rec(b, i + 1);
        b->used[j] = false;
    }
}

static void test_eaw(void)
{
    enum { D = 6 };
    double A[10 * D], W[10 * D], A2[10 * D], W2[10 * D], A3[10 * D], W3[10 * D];
    unsigned s[10];
    for (unsigned k = 2; k <= 9; k++) {
        for (unsigned e = 0; e < k * D; e++) A[e] = urand() - 0.5, W[e] = urand() - 0.5;
        memset(W + (k - 1) * D, 0, D * sizeof *W);
        for (int rep = 0; rep < 3; rep++) {
            shuffle(s, k, false);
            relabel(A, W, k, D, s, A2, W2);
            const double e0 = rf_mp_eaw(A2, W2, A, W, k, D);
            CHECKF(e0 < 1e-12, "k=%u: E of a relabelled truth %.3g", k, e0);
            /* a noisy estimate, then a relabelling that keeps the reference expert */
            for (unsigned e = 0; e < k * D; e++) A2[e] += 0.05 * (urand() - 0.5), W2[e] += 0.05 * (urand() - 0.5);
            memset(W2 + (k - 1) * D, 0, D * sizeof *W2);
            shuffle(s, k, true);
            relabel(A2, W2, k, D, s, A3, W3);
            const double e1 = rf_mp_eaw(A2, W2, A, W, k, D), e2 = rf_mp_eaw(A3, W3, A, W, k, D);
            CHECKF(fabs(e1 - e2) < 1e-12 && e1 > 0 && e1 < 0.5, "k=%u: E %.15g vs relabelled %.15g", k, e1, e2);
            if (k == 9 && rep == 0) {
                eaw_brute b = {.k = k, .d = D, .A = A2, .W = W2, .At = A, .Wt = W, .best = INFINITY};
                eaw_brute_rec(&b, 0);
                CHECKF(fabs(b.best - e1) < 1e-12, "k=9 near the truth: E %.15g vs brute %.15g", e1, b.best);
                /* a far estimate: the k > 8 path is an upper bound */
                for (unsigned e = 0; e < k * D; e++) A3[e] = urand() - 0.5, W3[e] = urand() - 0.5;
                memset(W3 + (k - 1) * D, 0, D * sizeof *W3);
                eaw_brute b2 = {.k = k, .d = D, .A = A3, .W = W3, .At = A, .Wt = W, .best = INFINITY};
                eaw_brute_rec(&b2, 0);
                const double e3 = rf_mp_eaw(A3, W3, A, W, k, D);
                printf("E(A,W) k = 9, random estimate: Hungarian candidates %.6f, exact %.6f\n", e3, b2.best);
                CHECKF(e3 >= b2.best - 1e-12 && e3 <= 1.2 * b2.best, "k=9 far: %.6f vs exact %.6f", e3, b2.best);
            }
        }
    }
    /* E_reg / E_gating / GatingFit on the relabelled truth */
    const unsigned k = 4;
    shuffle(s, k, false);
    relabel(A, W, k, D, s, A2, W2);
    for (unsigned e = 0; e < D; e++) A2[e] = -A2[e]; /* sign of a regressor does not matter to E_reg */
    unsigned perm[8];
    const double er = rf_mp_ereg(A2, A, k, D, perm);
    bool same = true;
    for (unsigned j = 0; j < k; j++) same &= perm[j] == s[j];
    CHECKF(er < 1e-12 && same, "E_reg of a relabelled truth: %.3g", er);
    CHECKF(rf_mp_egating(W2, W, k, D, perm) < 1e-12, "E_gating of a relabelled truth");
    CHECK(fabs(rf_mp_gating_fit(W, W, D) - 1) < 1e-15);
}

/* ---- data of a model ---- */
static rf_moe_spec spec_orth(void)
{
    rf_moe_spec s = {0};
    s.k = 2;
    s.d = 10;
    s.g = RF_MOE_G_LINEAR;
    s.sigma = 0.1;
    s.input = RF_MOE_X_GAUSS;
    s.regressors = RF_MOE_A_SPHERE;
    s.gating = RF_MOE_W_ORTHOGONAL;
    s.w_norm = 1;
    s.seed = 5;
    return s;
}

static double dotv(const double *a, const double *b, unsigned d)
{
    double s = 0;
    for (unsigned t = 0; t < d; t++) s += a[t] * b[t];
    return s;
}

static void test_mom_and_em(void)
{
    const rf_moe_spec s = spec_orth();
    rf_moe_model m;
    char err[256];
    if (!rf_moe_model_make(&s, &m, err, sizeof err)) {
        CHECKF(0, "%s", err);
        return;
    }
    const size_t n = 200000, d = s.d;
    double *x = malloc(n * d * sizeof *x), *y = malloc(n * sizeof *y);
    rf_moe_sample(&m, 0, n, x, y, NULL);
    double w[RF_MOE_MAX_D], Asw[2 * 10];
    rf_mp_mom mm;
    rf_mp_mom_init(&mm, (unsigned)d);
    rf_mp_mom_add(&mm, x, y, n, m.A, s.g);
    CHECK(rf_mp_mom_finish(&mm, 1.0, w));
    const double c1 = dotv(w, m.W, (unsigned)d);
    memcpy(Asw, m.A + d, d * sizeof *Asw);
    memcpy(Asw + d, m.A, d * sizeof *Asw);
    rf_mp_mom_init(&mm, (unsigned)d);
    rf_mp_mom_add(&mm, x, y, n, Asw, s.g);
    CHECK(rf_mp_mom_finish(&mm, 1.0, w));
    const double c2 = dotv(w, m.W, (unsigned)d);
    printf("MoM (Theorem 3), n = %zu: <w, w*> = %.4f; with a_1, a_2 swapped %.4f\n", n, c1, c2);
    CHECKF(c1 > 0.9, "MoM <w, w*> = %.4f", c1);
    CHECKF(c2 < -0.9, "MoM with swapped regressors: %.4f", c2);
    /* Algorithm 2 with the true regressors from a fixed start, on 20000 samples */
    double W[2 * 10] = {0}, it[51 * 2 * 10];
    W[0] = -0.5;
    W[3] = 0.4;
    unsigned done = 0;
    CHECK(rf_mp_gating_em(x, y, 20000, (unsigned)d, 2, m.A, s.g, s.sigma, 2.0, 50, 1e-8, W, it, &done) == 0);
    const double gf = rf_mp_gating_fit(W, m.W, (unsigned)d), gf1 = rf_mp_gating_fit(it + 2 * d, m.W, (unsigned)d);
    printf("Algorithm 2 (true A, n = 20000): GatingFit %.5f after %u iterations (%.5f after 1), |w| = %.4f\n", gf, done,
           gf1, sqrt(dotv(W, W, (unsigned)d)));
    CHECKF(gf > 0.95 && dotv(W, m.W, (unsigned)d) > 0, "Algorithm 2 GatingFit %.5f", gf);
    CHECKF(done >= 1 && done < 50, "Algorithm 2 did not converge (%u iterations)", done);
    /* joint EM from its random start on 20000 samples: the fit is printed, E finite */
    double Aj[2 * 10], Wj[2 * 10];
    CHECK(rf_mp_joint_em(x, y, 20000, (unsigned)d, 2, s.g, s.sigma, 2.0, 30, 7, Aj, Wj, NULL) == 0);
    const double ej = rf_mp_eaw(Aj, Wj, m.A, m.W, 2, (unsigned)d);
    printf("joint EM (n = 20000, 30 iterations, seed 7): E(A,W) = %.4f\n", ej);
    CHECK(isfinite(ej));
    /* l2: SGD lowers the loss from its start */
    double Al[2 * 10], Wl[2 * 10], itl[2 * 3 * 2 * 10];
    CHECK(rf_mp_l2_sgd(x, y, 20000, (unsigned)d, 2, s.g, 0.05, 32, 2, 2.0, 3, Al, Wl, itl) == 0);
    const double l0 = rf_mp_l2_loss(x, y, 20000, (unsigned)d, 2, s.g, itl, itl + 2 * d);
    const double l2 = rf_mp_l2_loss(x, y, 20000, (unsigned)d, 2, s.g, Al, Wl);
    printf("l2 loss: %.4f at the start, %.4f after 2 epochs\n", l0, l2);
    CHECKF(l2 < 0.8 * l0, "l2 SGD did not lower the loss: %.4f -> %.4f", l0, l2);
    free(x);
    free(y);
    rf_moe_model_free(&m);
}

/* ---- GMM score ---- */
enum { GD = 3 };
static double gmm_p(const rf_mp_gmm *g, const double *x)
{
    double p = 0;
    for (unsigned c = 0; c < g->ncomp; c++) {
        double q = 0;
        for (unsigned t = 0; t < GD; t++) q += (x[t] - g->mu[c][t]) * (x[t] - g->mu[c][t]);
        p += g->pi[c] * exp(-0.5 * q) / pow(6.283185307179586, GD / 2.0);
    }
    return p;
}

/* closed-form Hessian of p: sum_c pi_c phi(u) (u u^T - I), u = x - mu_c */
static void gmm_hess(const rf_mp_gmm *g, const double *x, double H[GD][GD])
{
    memset(H, 0, sizeof(double) * GD * GD);
    for (unsigned c = 0; c < g->ncomp; c++) {
        double u[GD], q = 0;
        for (unsigned t = 0; t < GD; t++) u[t] = x[t] - g->mu[c][t], q += u[t] * u[t];
        const double ph = g->pi[c] * exp(-0.5 * q) / pow(6.283185307179586, GD / 2.0);
        for (unsigned a = 0; a < GD; a++)
            for (unsigned b = 0; b < GD; b++) H[a][b] += ph * (u[a] * u[b] - (a == b));
    }
}

/* S_2, S_3 of one point through the accumulator (n = 1, w = 1), unpacked checks against finite
 * differences of p. */
static void gmm_point_check(const rf_mp_gmm *g, const double *x)
{
    rf_mp_gmm_tacc t2, t3;
    double s2[GD * (GD + 1) / 2], s3[GD * (GD + 1) * (GD + 2) / 6];
    const double one = 1;
    CHECK(rf_mp_gmm_tacc_init(&t2, g, 2) == 0 && rf_mp_gmm_tacc_init(&t3, g, 3) == 0);
    CHECK(rf_mp_gmm_tacc_add(&t2, x, &one, 1) == 0 && rf_mp_gmm_tacc_add(&t3, x, &one, 1) == 0);
    rf_mp_gmm_tacc_mean(&t2, s2);
    rf_mp_gmm_tacc_mean(&t3, s3);
    rf_mp_gmm_tacc_free(&t2);
    rf_mp_gmm_tacc_free(&t3);
    const double p = gmm_p(g, x), h = 1e-3;
    double worst2 = 0, worst3 = 0;
    for (unsigned a = 0; a < GD; a++)
        for (unsigned b = a; b < GD; b++) {
            double xp[GD], v[4];
            const int sg[4][2] = {{1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
            for (int q = 0; q < 4; q++) {
                memcpy(xp, x, sizeof xp);
                xp[a] += sg[q][0] * h;
                xp[b] += sg[q][1] * h;
                v[q] = gmm_p(g, xp);
            }
            const double d2 = (v[0] - v[1] - v[2] + v[3]) / (4 * h * h);
            worst2 = fmax(worst2, fabs(d2 / p - s2[rf_sym2_index(GD, a, b)]));
            for (unsigned c = b; c < GD; c++) {
                double Hp[GD][GD], Hm[GD][GD];
                memcpy(xp, x, sizeof xp);
                xp[c] += h;
                gmm_hess(g, xp, Hp);
                xp[c] -= 2 * h;
                gmm_hess(g, xp, Hm);
                const double d3 = (Hp[a][b] - Hm[a][b]) / (2 * h);
                worst3 = fmax(worst3, fabs(-d3 / p - s3[rf_sym3_index(GD, a, b, c)]));
            }
        }
    printf("GMM score at x = (%.2f, %.2f, %.2f): max |S2 - grad^2 p / p| = %.2e, |S3 + grad^3 p / p| = %.2e\n", x[0],
           x[1], x[2], worst2, worst3);
    CHECKF(worst2 < 1e-5 && worst3 < 1e-5, "GMM score vs finite differences: %.3g, %.3g", worst2, worst3);
}

/* Stein checks over n samples of the mixture: T2 with w = 1 (E S2 = 0) and with w = <u,x>^2 (= 2 u u^T),
 * T3 with w = 1 and w = <u,x>^3 (= 6 u^(x)3). Standard errors from a direct per-sample pass. Returns
 * the largest |z|; with hermite = true the Gaussian score replaces the mixture's. */
static double stein_zmax(const rf_mp_gmm *g, const double *x, size_t n, const double *u, bool hermite)
{
    double worst = 0;
    double *w = malloc(n * sizeof *w), *r = malloc(n * g->ncomp * sizeof *r);
    rf_mp_gmm_resp(g, x, n, r);
    for (unsigned order = 2; order <= 3; order++)
        for (int f = 0; f < 2; f++) {
            for (size_t i = 0; i < n; i++) {
                const double z = dotv(u, x + i * GD, GD);
                w[i] = f == 0 ? 1 : order == 2 ? z * z : z * z * z;
            }
            const size_t size = order == 2 ? rf_sym2_size(GD) : rf_sym3_size(GD);
            double est[32], sum[32] = {0}, sq[32] = {0};
            if (hermite) {
                rf_moe_tacc acc;
                rf_moe_tacc_init(&acc, order, GD);
                rf_moe_tacc_add(&acc, x, w, n);
                rf_moe_tacc_mean(&acc, est);
                rf_moe_tacc_free(&acc);
            } else {
                rf_mp_gmm_tacc acc;
                rf_mp_gmm_tacc_init(&acc, g, order);
                rf_mp_gmm_tacc_add(&acc, x, w, n);
                rf_mp_gmm_tacc_mean(&acc, est);
                rf_mp_gmm_tacc_free(&acc);
            }
            /* per-sample direct values for the standard error: sum_c r_c He_m(x - mu_c) */
            for (size_t i = 0; i < n; i++) {
                size_t e = 0;
                for (unsigned a = 0; a < GD; a++)
                    for (unsigned b = a; b < GD; b++)
                        for (unsigned c = order == 3 ? b : GD - 1; c < GD; c++, e++) {
                            double v = 0;
                            for (unsigned cc = 0; cc < (hermite ? 1u : g->ncomp); cc++) {
                                double uu[GD];
                                for (unsigned t = 0; t < GD; t++) uu[t] = x[i * GD + t] - (hermite ? 0 : g->mu[cc][t]);
                                const double he = order == 2 ? uu[a] * uu[b] - (a == b)
                                                             : uu[a] * uu[b] * uu[c] - uu[a] * (b == c) - uu[b] * (a == c) -
                                                                   uu[c] * (a == b);
                                v += (hermite ? 1 : r[i * g->ncomp + cc]) * he;
                            }
                            v *= w[i];
                            sum[e] += v;
                            sq[e] += v * v;
                        }
            }
            size_t e = 0;
            for (unsigned a = 0; a < GD; a++)
                for (unsigned b = a; b < GD; b++)
                    for (unsigned c = order == 3 ? b : GD - 1; c < GD; c++, e++) {
                        const double mean = sum[e] / (double)n, se = sqrt((sq[e] / (double)n - mean * mean) / (double)n);
                        const double want = f == 0 ? 0 : order == 2 ? 2 * u[a] * u[b] : 6 * u[a] * u[b] * u[c];
                        CHECKF(fabs(est[e] - mean) <= 1e-9 * (fabs(mean) + se), "accumulator vs direct: %.6g vs %.6g",
                               est[e], mean);
                        worst = fmax(worst, fabs(est[e] - want) / se);
                    }
            (void)size;
        }
    free(w);
    free(r);
    return worst;
}

static void test_gmm_score(void)
{
    const double mu1[GD] = {0.6, -0.8, 0.0}, mu2[GD] = {-0.3, 0.2, 0.9};
    const rf_mp_gmm g = {.ncomp = 2, .d = GD, .pi = {0.3, 0.7}, .mu = {mu1, mu2}};
    const double pts[3][GD] = {{0.1, 0.2, -0.3}, {1.5, -2.0, 0.7}, {-0.9, 0.4, 2.2}};
    for (int q = 0; q < 3; q++) gmm_point_check(&g, pts[q]);
    /* samples: component by a uniform, then N(mu_c, I) by Box-Muller (rf_mp_gauss) */
    const size_t n = 200000;
    double *x = malloc(n * GD * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        const double *mu = urand() < g.pi[0] ? mu1 : mu2;
        for (unsigned t = 0; t < GD; t++) x[i * GD + t] = mu[t] + rf_mp_gauss(77, i, t);
    }
    const double u[GD] = {0.48, -0.6, 0.64};
    const double z = stein_zmax(&g, x, n, u, false), zh = stein_zmax(&g, x, n, u, true);
    printf("GMM Stein checks over n = %zu: max |z| = %.2f with the mixture score, %.1f with the Gaussian score\n", n, z,
           zh);
    CHECKF(z < 5, "GMM score Stein identity / zero mean: max |z| %.2f", z);
    CHECKF(zh > 5, "the check cannot tell the Gaussian score from the mixture's (max |z| %.2f)", zh);
    free(x);
}

static void test_mstep_monotone(void)
{
    /* Q after the Newton M-step >= Q before (through the gating EM's first iterate on random data) */
    enum { N = 3000, D = 5, K = 3 };
    double *x = malloc(N * D * sizeof *x), *post = malloc(N * K * sizeof *post);
    for (size_t e = 0; e < (size_t)N * D; e++) x[e] = rf_mp_gauss(3, 0, e);
    for (size_t i = 0; i < N; i++) {
        double s = 0;
        for (int j = 0; j < K; j++) s += (post[i * K + j] = 0.1 + urand());
        for (int j = 0; j < K; j++) post[i * K + j] /= s;
    }
    double W[K * D] = {0};
    CHECK(rf_mp_gating_mstep(x, post, N, D, K, 5.0, 30, W) == 0);
    /* at the maximiser the gradient sum_i (post - gate) x vanishes */
    double gmax = 0;
    for (int j = 0; j + 1 < K; j++)
        for (int t = 0; t < D; t++) {
            double gsum = 0;
            for (size_t i = 0; i < N; i++) {
                double h[K], z = 0;
                for (int l = 0; l < K; l++) {
                    h[l] = l + 1 < K ? dotv(W + l * D, x + i * D, D) : 0;
                    z += exp(h[l]);
                }
                gsum += (post[i * K + j] - exp(h[j]) / z) * x[i * D + t];
            }
            gmax = fmax(gmax, fabs(gsum / N));
        }
    printf("Newton gating M-step: max |grad Q| at the result %.2e\n", gmax);
    CHECKF(gmax < 1e-8, "M-step did not reach the maximiser: |grad| %.3g", gmax);
    free(x);
    free(post);
}

int main(void)
{
    test_assignment();
    test_eaw();
    test_gmm_score();
    test_mom_and_em();
    test_mstep_monotone();
    return rf_test_summary("test_moe_pipeline");
}
