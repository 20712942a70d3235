/* The gating M-step (damped Newton on the kernels of refast/moe_gating.h), Algorithm 2 of seed 001
 * (EM on W with the regressors fixed: the gating helper's driver) and the joint-EM baseline
 * (refast/moe_pipeline.h). The regressor M-step solves d x d systems by LAPACKE dposv. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/moe_em.h"
#include "moe/gating_em.h"
#include "moe/pipeline.h"
#include "refast/rng.h"

double rf_mp_gauss(uint64_t seed, uint64_t stream, uint64_t i)
{
    uint32_t w[2];
    rf_philox_u32(seed, stream, 2 * i, 2, w);
    const double u1 = ((double)w[0] + 0.5) * 0x1p-32, u2 = (double)w[1] * 0x1p-32;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

void rf_mp_random_sphere(uint64_t seed, uint64_t stream, unsigned k, unsigned d, double *M)
{
    for (unsigned i = 0; i < k; i++) {
        double s = 0, *r = M + (size_t)i * d;
        for (unsigned t = 0; t < d; t++) {
            r[t] = rf_mp_gauss(seed, stream + i, t);
            s += r[t] * r[t];
        }
        s = sqrt(s);
        for (unsigned t = 0; t < d; t++) r[t] /= s;
    }
}

static void project_rows(double *W, unsigned rows, unsigned d, double R)
{
    for (unsigned j = 0; j < rows; j++) {
        double s = 0, *r = W + (size_t)j * d;
        for (unsigned t = 0; t < d; t++) s += r[t] * r[t];
        s = sqrt(s);
        if (s > R && s > 0)
            for (unsigned t = 0; t < d; t++) r[t] *= R / s;
    }
}

/* Damped projected Newton on Q(.|post) with the gating helper's kernels (refast/moe_gating.h):
 * rf_moe_q_grad (gradient and Q, unnormalised sums), rf_moe_q_hess (the Hessian, dispatched) and
 * rf_moe_cholesky / rf_moe_chol_solve on -H + ridge I. */
int rf_mp_gating_mstep(const double *x, const double *post, size_t n, unsigned d, unsigned k, double R,
                       unsigned steps, double *W)
{
    if (k < 2 || k > RF_MP_MAX_K || d == 0 || d > RF_MOE_MAX_D || (size_t)(k - 1) * d > RF_MOE_GATING_MAX_M)
        return -1;
    const unsigned m = k - 1, D = m * d;
    double *grad = malloc((size_t)D * sizeof *grad), *H = malloc((size_t)D * D * sizeof *H);
    double *trial = malloc((size_t)k * d * sizeof *trial), *Hc = malloc((size_t)D * D * sizeof *Hc);
    int rc = grad && H && trial && Hc ? 0 : -1;
    for (unsigned s = 0; s < steps && rc == 0; s++) {
        double q0, q1;
        if (moe_q_grad_f64_ref(x, post, n, d, k, W, grad, &q0) != 0 || !isfinite(q0) ||
            rf_moe_q_hess_f64(x, n, d, k, W, H) != 0) {
            rc = -1;
            break;
        }
        double gn = 0, diag = 1;
        for (unsigned e = 0; e < D; e++) gn += grad[e] * grad[e];
        if (sqrt(gn) <= 1e-12 * (double)(n ? n : 1)) break;
        for (size_t e = 0; e < (size_t)D * D; e++) H[e] = -H[e];
        for (unsigned e = 0; e < D; e++) diag = fmax(diag, H[(size_t)e * D + e]);
        /* -H is PSD; add a ridge only when the factorisation needs it (saturated gates, n < d) */
        double ridge = 0;
        bool factored = false;
        for (int tries = 0; tries < 12 && !factored; tries++) {
            memcpy(Hc, H, (size_t)D * D * sizeof *Hc);
            for (unsigned e = 0; e < D; e++) Hc[(size_t)e * D + e] += ridge;
            if (rf_moe_cholesky_f64(Hc, D) == 0) {
                rf_moe_chol_solve_f64(Hc, D, grad); /* grad becomes the Newton step */
                factored = true;
            }
            ridge = ridge == 0 ? 1e-12 * diag : ridge * 100;
        }
        if (!factored) {
            rc = -1;
            break;
        }
        /* halve until Q does not decrease */
        double alpha = 1;
        bool moved = false;
        for (int h = 0; h < 30; h++, alpha *= 0.5) {
            memcpy(trial, W, (size_t)k * d * sizeof *trial);
            for (unsigned e = 0; e < D; e++) trial[e] += alpha * grad[e];
            project_rows(trial, m, d, R);
            if (moe_q_grad_f64_ref(x, post, n, d, k, trial, H, &q1) != 0) { /* H: scratch for the gradient */
                rc = -1;
                break;
            }
            if (q1 >= q0) {
                moved = true;
                break;
            }
        }
        if (!moved) break;
        double dd = 0;
        for (unsigned e = 0; e < D; e++) dd += (trial[e] - W[e]) * (trial[e] - W[e]);
        memcpy(W, trial, (size_t)D * sizeof *W);
        if (sqrt(dd) < 1e-12) break;
    }
    memset(W + (size_t)m * d, 0, d * sizeof *W);
    free(grad);
    free(H);
    free(Hc);
    free(trial);
    return rc;
}

/* Algorithm 2: the gating helper's driver (rf_moe_gating_em, Newton M-step with line search). */
int rf_mp_gating_em(const double *x, const double *y, size_t n, unsigned d, unsigned k, const double *A,
                    rf_moe_g g, double sigma, double R, unsigned T, double eps, double *W, double *iterates,
                    unsigned *done)
{
    const size_t kd = (size_t)k * d;
    rf_moe_gating_opts o = rf_moe_gating_defaults();
    o.method = RF_MOE_GATING_NEWTON;
    o.R = R;
    o.eps = eps;
    o.T = T;
    o.line_search = 1;
    double *tw = iterates ? iterates : NULL, *Wout = malloc(kd * sizeof *Wout);
    rf_moe_gating_trace tr = {iterates ? (size_t)T + 1 : 0, 0, tw, NULL, NULL, NULL};
    uint64_t it = 0;
    char err[256];
    const int rc = Wout ? rf_moe_gating_em(x, y, n, d, k, A, g, sigma, W, &o, Wout, &it, iterates ? &tr : NULL, err,
                                           sizeof err)
                        : -1;
    if (rc == 0) memcpy(W, Wout, kd * sizeof *W);
    if (done) *done = (unsigned)it;
    free(Wout);
    return rc;
}

/* Weighted (Gauss-Newton for non-linear g) least squares for expert j. */
static int regressor_step(const double *x, const double *y, const double *post, size_t n, unsigned d, unsigned k,
                          unsigned j, rf_moe_g g, double *a, double *M, double *b)
{
    const unsigned steps = g == RF_MOE_G_LINEAR ? 1 : 3;
    for (unsigned s = 0; s < steps; s++) {
        memset(M, 0, (size_t)d * d * sizeof *M);
        memset(b, 0, d * sizeof *b);
        for (size_t i = 0; i < n; i++) {
            const double *xi = x + i * d, p = post[i * k + j];
            if (p == 0) continue;
            double z = 0;
            for (unsigned t = 0; t < d; t++) z += a[t] * xi[t];
            /* linear: target y, Jacobian x (exact WLS); else residual step with J = g'(z) x */
            const double gd = g == RF_MOE_G_LINEAR ? 1.0 : rf_moe_g_deriv(g, z);
            const double r = g == RF_MOE_G_LINEAR ? y[i] : y[i] - rf_moe_g_eval(g, z);
            for (unsigned u = 0; u < d; u++) {
                const double pu = p * gd * gd * xi[u];
                for (unsigned v = 0; v < d; v++) M[u * d + v] += pu * xi[v];
                b[u] += p * gd * r * xi[u];
            }
        }
        for (unsigned u = 0; u < d; u++) M[u * d + u] += 1e-9 * (double)n;
        if (LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)d, 1, M, (lapack_int)d, b, 1) != 0) return -1;
        for (unsigned u = 0; u < d; u++) a[u] = g == RF_MOE_G_LINEAR ? b[u] : a[u] + b[u];
    }
    return 0;
}

int rf_mp_joint_em(const double *x, const double *y, size_t n, unsigned d, unsigned k, rf_moe_g g, double sigma,
                   double R, unsigned T, uint64_t seed, double *A, double *W, double *iterates)
{
    if (k < 2 || k > RF_MP_MAX_K || d == 0 || d > RF_MOE_MAX_D) return -1;
    const size_t kd = (size_t)k * d;
    rf_mp_random_sphere(seed, 1000, k, d, A);
    rf_mp_random_sphere(seed, 2000, k, d, W);
    for (unsigned j = 0; j + 1 < k; j++) { /* uniform in the ball of radius R */
        uint32_t u;
        rf_philox_u32(seed, 3000, j, 1, &u);
        const double rad = R * pow(((double)u + 0.5) * 0x1p-32, 1.0 / d);
        for (unsigned t = 0; t < d; t++) W[(size_t)j * d + t] *= rad;
    }
    memset(W + (size_t)(k - 1) * d, 0, d * sizeof *W);
    double *post = malloc((n ? n : 1) * k * sizeof *post), *M = malloc((size_t)d * d * sizeof *M),
           *b = malloc(d * sizeof *b);
    double *prevA = malloc(kd * sizeof *prevA), *prevW = malloc(kd * sizeof *prevW);
    int rc = post && M && b && prevA && prevW ? 0 : -1;
    if (rc == 0) memcpy(prevA, A, kd * sizeof *A), memcpy(prevW, W, kd * sizeof *W);
    if (rc == 0 && iterates) memcpy(iterates, A, kd * sizeof *A), memcpy(iterates + kd, W, kd * sizeof *W);
    for (unsigned t = 1; t <= T && rc == 0; t++) {
        if (rf_moe_estep_f64(x, y, n, d, k, A, W, (int)g, sigma, post) != 0) {
            rc = -1;
            break;
        }
        for (unsigned j = 0; j < k && rc == 0; j++) rc = regressor_step(x, y, post, n, d, k, j, g, A + (size_t)j * d, M, b);
        if (rc == 0) rc = rf_mp_gating_mstep(x, post, n, d, k, R, 5, W);
        if (rc == 0 && iterates) {
            memcpy(iterates + 2 * t * kd, A, kd * sizeof *A);
            memcpy(iterates + 2 * t * kd + kd, W, kd * sizeof *W);
        }
        /* converged: the remaining iterations would repeat the same (A, W) to rounding */
        double change = 0;
        for (size_t e = 0; e < kd; e++) change = fmax(change, fmax(fabs(A[e] - prevA[e]), fabs(W[e] - prevW[e])));
        memcpy(prevA, A, kd * sizeof *A);
        memcpy(prevW, W, kd * sizeof *W);
        if (rc == 0 && change < 1e-10) {
            if (iterates)
                for (unsigned u = t + 1; u <= T; u++) {
                    memcpy(iterates + 2 * (size_t)u * kd, A, kd * sizeof *A);
                    memcpy(iterates + 2 * (size_t)u * kd + kd, W, kd * sizeof *W);
                }
            break;
        }
    }
    free(prevA);
    free(prevW);
    free(post);
    free(M);
    free(b);
    return rc;
}
