/* Algorithm 1 step 3 of seed 001 (refast/moe_decomp.h): dispatch of the eigen-solver and the
 * decomposers, the whitened tensor, and the recovery of the regressors.
 *
 * Why whitening recovers the a_i (Theorem 1 of seed 001: T2 = c2 sum_i pi_i a_i a_i^T,
 * T3 = c3 sum_i pi_i a_i^{(x)3}, pi_i = E[p_i] > 0, a_i unit and linearly independent):
 *   T2 has rank k with every non-zero eigenvalue of sign s = sign(c2). With its top-k eigenpairs
 *   T2 = V Lambda V^T and M = V |Lambda|^{-1/2} (d x k), M^T T2 M = s I, i.e.
 *       sum_i |c2| pi_i (M^T a_i)(M^T a_i)^T = I,
 *   so b_i = sqrt(|c2| pi_i) M^T a_i are k orthonormal vectors of R^k. Then
 *       W3 = T3(M, M, M) = sum_i c3 pi_i (M^T a_i)^{(x)3} = sum_i mu_i b_i^{(x)3},
 *       mu_i = c3 / (|c2|^{3/2} sqrt(pi_i)),
 *   an orthogonally decomposable tensor: a decomposer returns the pairs (mu_i, b_i), each up to
 *   the joint sign flip (mu, b) -> (-mu, -b) that leaves mu b^{(x)3} unchanged.
 *   Un-whitening: a_i lies in range(V), where (M^T)^+ = V |Lambda|^{1/2} inverts M^T, so
 *       V |Lambda|^{1/2} b_i = sqrt(|c2| pi_i) a_i,
 *   and normalising V |Lambda|^{1/2} u_j gives a_i up to that sign. Since pi_i > 0, the true
 *   b_i has sign(mu_i) = sign(c3): a returned pair with mu_j c3 < 0 is the flipped one, so
 *       a_j = sign(mu_j c3) V |Lambda|^{1/2} u_j / ||V |Lambda|^{1/2} u_j||.
 *   (The sign of c2 only sets s above; it cancels from the recovery.)
 * With estimated T2, T3 the same steps give the estimate; an eigenvalue whose sign disagrees with
 * c2, or a k-th eigenvalue below 1e-12 |lambda_1|, means T2 is rank deficient or dominated by
 * noise and the recovery is refused with a message rather than producing garbage.
 */
#include "moe/decomp.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "moe_decomp_common.h"
#include "refast/kernels.h"

int rf_moe_whiten3(const double *t3, size_t d, const double *M, size_t k, double *out)
{
    /* One mode at a time, keeping the symmetry that survives each step:
     *   Y1[a<=b][l] = sum_c T_abc M_cl             (symmetric in a, b)
     *   Y2[a][j<=l] = sum_b Y1[a,b][l] M_bj          (symmetric in j, l)
     *   out[i<=j<=l] = sum_a M_ai Y2[a][j,l]                                                */
    const size_t d2 = d * (d + 1) / 2, k2 = k * (k + 1) / 2;
    double *y1 = malloc(d2 * k * sizeof *y1), *y2 = malloc(d * k2 * sizeof *y2);
    if (!y1 || !y2) {
        free(y1);
        free(y2);
        return -1;
    }
    for (size_t a = 0; a < d; a++)
        for (size_t b = a; b < d; b++) {
            double *row = y1 + rf_dc_idx2(d, a, b) * k;
            for (size_t l = 0; l < k; l++) row[l] = 0.0;
            for (size_t c = 0; c < d; c++) {
                const double tabc = rf_dc_get3(t3, d, a, b, c);
                for (size_t l = 0; l < k; l++) row[l] += tabc * M[c * k + l];
            }
        }
    for (size_t a = 0; a < d; a++)
        for (size_t j = 0; j < k; j++)
            for (size_t l = j; l < k; l++) {
                double s = 0.0;
                for (size_t b = 0; b < d; b++) {
                    const size_t ab = a <= b ? rf_dc_idx2(d, a, b) : rf_dc_idx2(d, b, a);
                    s += y1[ab * k + l] * M[b * k + j];
                }
                y2[a * k2 + rf_dc_idx2(k, j, l)] = s;
            }
    for (size_t i = 0; i < k; i++)
        for (size_t j = i; j < k; j++)
            for (size_t l = j; l < k; l++) {
                double s = 0.0;
                for (size_t a = 0; a < d; a++) s += M[a * k + i] * y2[a * k2 + rf_dc_idx2(k, j, l)];
                out[rf_dc_idx3(k, i, j, l)] = s;
            }
    free(y1);
    free(y2);
    return 0;
}

void rf_moe_decomp_defaults(rf_moe_decomp_opts *o)
{
    o->method = RF_MOE_DECOMP_TPM;
    o->tpm.starts = 10;
    o->tpm.iters = 30;
    o->tpm.seed = 1;
    o->als.iters = 200;
    o->als.tol = 1e-13;
    o->als.seed = 1;
}

static bool fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return false;
}

bool rf_moe_recover_regressors_at(rf_isa level, const double *t2, const double *t3, size_t d, size_t k,
                                  double c2, double c3, const rf_moe_decomp_opts *o, double *A, char *err,
                                  size_t errlen)
{
    const rf_moe_eig_topk_f64_fn eig = (rf_moe_eig_topk_f64_fn)rf_dispatch(RF_KID(moe_eig_topk_f64), level, NULL);
    if (d == 0 || d > RF_MOE_DECOMP_MAX_D)
        return fail(err, errlen, "dimension d=%zu is outside [1, %d]", d, RF_MOE_DECOMP_MAX_D);
    if (k == 0 || k > d)
        return fail(err, errlen, "number of experts k=%zu must be in [1, d=%zu]", k, d);
    if (!isfinite(c2) || c2 == 0.0 || !isfinite(c3) || c3 == 0.0)
        return fail(err, errlen, "c2=%g and c3=%g must be finite and non-zero", c2, c3);
    rf_moe_decomp_opts defaults;
    if (!o) {
        rf_moe_decomp_defaults(&defaults);
        o = &defaults;
    }
    double *lambda = malloc(k * sizeof *lambda), *V = malloc(d * k * sizeof *V);
    double *M = malloc(d * k * sizeof *M), *w3 = malloc(rf_dc_size3(k) * sizeof *w3);
    double *mu = malloc(k * sizeof *mu), *U = malloc(k * k * sizeof *U);
    bool ok = false;
    if (!lambda || !V || !M || !w3 || !mu || !U) {
        fail(err, errlen, "out of memory (d=%zu, k=%zu)", d, k);
        goto done;
    }
    if (eig(t2, d, k, lambda, V) != 0) {
        fail(err, errlen, "eigen-decomposition of T2 failed (non-finite entries?)");
        goto done;
    }
    if (!(fabs(lambda[k - 1]) > 1e-12 * fabs(lambda[0]))) {
        fail(err, errlen, "T2 has rank < k=%zu: |lambda_%zu| = %.3g <= 1e-12 |lambda_1| = %.3g", k,
             k, fabs(lambda[k - 1]), 1e-12 * fabs(lambda[0]));
        goto done;
    }
    for (size_t j = 0; j < k; j++)
        if ((lambda[j] > 0) != (c2 > 0)) {
            fail(err, errlen,
                 "eigenvalue %zu of T2 (%.6g) has the sign opposite to c2=%g: T2 is rank deficient "
                 "or too noisy for k=%zu",
                 j + 1, lambda[j], c2, k);
            goto done;
        }
    for (size_t a = 0; a < d; a++)
        for (size_t j = 0; j < k; j++) M[a * k + j] = V[a * k + j] / sqrt(fabs(lambda[j]));
    if (rf_moe_whiten3(t3, d, M, k, w3) != 0) {
        fail(err, errlen, "out of memory whitening T3 (d=%zu, k=%zu)", d, k);
        goto done;
    }
    for (size_t i = 0; i < rf_dc_size3(k); i++)
        if (!isfinite(w3[i])) {
            fail(err, errlen, "whitened T3 is not finite");
            goto done;
        }
    const int rc = o->method == RF_MOE_DECOMP_ORTH_ALS ? rf_moe_orth_als_f64(w3, k, &o->als, mu, U)
                                                       : rf_moe_tpm_f64(w3, k, &o->tpm, mu, U);
    if (rc != 0) {
        fail(err, errlen, "%s failed (bad options: starts/iters must be > 0, tol >= 0)",
             o->method == RF_MOE_DECOMP_ORTH_ALS ? "Orth-ALS" : "tensor power method");
        goto done;
    }
    for (size_t j = 0; j < k; j++) {
        if (!(mu[j] != 0.0) || !isfinite(mu[j])) {
            fail(err, errlen, "component %zu of the whitened T3 has eigenvalue %g", j + 1, mu[j]);
            goto done;
        }
        double *a = A + j * d;
        for (size_t r = 0; r < d; r++) {
            double s = 0.0;
            for (size_t i = 0; i < k; i++) s += V[r * k + i] * sqrt(fabs(lambda[i])) * U[j * k + i];
            a[r] = s;
        }
        const double norm = rf_dc_norm(a, d);
        const double sign = (mu[j] > 0) == (c3 > 0) ? 1.0 : -1.0;
        for (size_t r = 0; r < d; r++) a[r] *= sign / norm;
    }
    ok = true;
done:
    free(lambda);
    free(V);
    free(M);
    free(w3);
    free(mu);
    free(U);
    return ok;
}

bool rf_moe_recover_regressors(const double *t2, const double *t3, size_t d, size_t k, double c2,
                               double c3, const rf_moe_decomp_opts *o, double *A, char *err,
                               size_t errlen)
{
    return rf_moe_recover_regressors_at(rf_isa_current(), t2, t3, d, k, c2, c3, o, A, err, errlen);
}
