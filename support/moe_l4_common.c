/* The parts of the L4 loss shared by all its implementations (support/moe_l4_common.h): input
 * checks, the per-sample polynomial coefficients, and the closing step from the summed statistics
 * to the loss and gradient (formulas: refast/moe_loss.h). These are O(k^2) per sample and O(k^2 d)
 * per call; the O(k d) per sample work (projections, gradient sums) is what the levels differ in. */
#include <math.h>

#include "moe_l4_common.h"
#include "refast/moe_loss.h"

bool rf_l4_inputs_ok(const double *x, const double *q4, const double *q2, size_t n, size_t d, size_t k,
                     const double *A, const double *hyper)
{
    if (k < 1 || k > RF_MOE_L4_MAX_K || d < 1 || d > RF_MOE_L4_MAX_D) return false;
    /* 0 * v is 0 for finite v and NaN otherwise: one branch-free sum per array. */
    double probe = 0.0;
    for (size_t i = 0; i < n * d; i++) probe += 0.0 * x[i];
    for (size_t i = 0; i < n; i++) probe += 0.0 * q4[i] + 0.0 * q2[i];
    for (size_t i = 0; i < k * d; i++) probe += 0.0 * A[i];
    for (size_t i = 0; i < RF_L4_NHYPER; i++) probe += 0.0 * hyper[i];
    return probe == 0.0;
}

void rf_l4_fill_nan(size_t d, size_t k, double *loss, double *grad)
{
    *loss = NAN;
    for (size_t i = 0; i < k * d; i++) grad[i] = NAN;
}

double rf_l4_gram(const double *A, size_t d, size_t k, double *nrm, double *G)
{
    double N = 0.0;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            double g = 0.0;
            for (size_t b = 0; b < d; b++) g += A[i * d + b] * A[j * d + b];
            G[i * k + j] = g;
        }
    for (size_t i = 0; i < k; i++) {
        nrm[i] = G[i * k + i];
        N += nrm[i];
    }
    return N;
}

/* Phi = sum_{i != j} c t1 - mu sum_i c t2 without the A-only constant:
 *   (S^2 - sum u^4) - 2 (N S - sum n u^2) - 4 (u^T G u - sum n u^2) - mu (sum u^4 - 6 sum n u^2)
 * and its derivative in u_i (refast/moe_loss.h). */
double rf_l4_sample_coef(const double *u, const double *nrm, const double *G, double N, size_t k,
                         double mu, double *coef)
{
    double S = 0.0, U4 = 0.0, NU2 = 0.0, UGU_off = 0.0;
    for (size_t i = 0; i < k; i++) {
        const double u2 = u[i] * u[i];
        S += u2;
        U4 += u2 * u2;
        NU2 += nrm[i] * u2;
    }
    for (size_t i = 0; i < k; i++) {
        double gu = 0.0; /* sum_{j != i} G_ij u_j */
        for (size_t j = 0; j < k; j++)
            if (j != i) gu += G[i * k + j] * u[j];
        UGU_off += u[i] * gu;
        const double ui = u[i], u2 = ui * ui;
        coef[i] = 4.0 * ui * (S - u2 - N + nrm[i]) - 8.0 * gu - mu * (4.0 * u2 * ui - 12.0 * nrm[i] * ui);
    }
    /* u^T G u - sum n u^2 = the off-diagonal part, summed directly (no cancellation). */
    return (S * S - U4) - 2.0 * (N * S - NU2) - 4.0 * UGU_off - mu * (U4 - 6.0 * NU2);
}

void rf_l4_finish(const double *acc, size_t n, size_t d, size_t k, const double *A, const double *hyper,
                  double *loss, double *grad)
{
    const double c = hyper[RF_L4_C], cp = hyper[RF_L4_CP], mu = hyper[RF_L4_MU];
    const double lambda = hyper[RF_L4_LAMBDA], delta = hyper[RF_L4_DELTA];
    double nrm[RF_MOE_L4_MAX_K], G[RF_MOE_L4_MAX_K * RF_MOE_L4_MAX_K], e[RF_MOE_L4_MAX_K];
    const double N = rf_l4_gram(A, d, k, nrm, G);
    /* Means (n = 0: every mean is 0). */
    const double inv = n ? 1.0 / (double)n : 0.0;
    const double Eq4 = acc[L4_Q4] * inv, Eq2 = acc[L4_Q2] * inv;
    const double *M = acc + L4_M, *E2 = acc + rf_l4_off_e(k);
    const double *G4 = acc + rf_l4_off_g4(k), *G2 = acc + rf_l4_off_g2(k, d);

    /* The A-only constants: sum_{i != j} (n_i n_j + 2 G_ij^2) for t1, 3 sum n_i^2 for t2. */
    double c1 = 0.0, c2 = 0.0, frob = 0.0, trM = 0.0;
    for (size_t i = 0; i < k; i++) {
        for (size_t j = 0; j < k; j++)
            if (j != i) c1 += nrm[i] * nrm[j] + 2.0 * G[i * k + j] * G[i * k + j];
        c2 += 3.0 * nrm[i] * nrm[i];
        frob += nrm[i];
        trM += M[i * k + i];
    }
    trM *= inv;
    double value = (acc[L4_PHI] * inv + Eq4 * (c1 - mu * c2)) / c;
    for (size_t i = 0; i < k; i++) {
        e[i] = (E2[i] * inv - nrm[i] * Eq2) / cp;
        value += lambda * (e[i] - 1.0) * (e[i] - 1.0);
    }
    *loss = value + 0.5 * delta * frob;

    for (size_t m = 0; m < k; m++) {
        const double Mmm = M[m * k + m] * inv;
        const double radial = 2.0 * (2.0 * (Mmm - trM) + 2.0 * (N - nrm[m]) * Eq4 + 6.0 * mu * (Mmm - nrm[m] * Eq4));
        const double kappa = 4.0 * lambda * (e[m] - 1.0) / cp;
        for (size_t b = 0; b < d; b++) {
            double t = G4[m * d + b] * inv + radial * A[m * d + b];
            for (size_t j = 0; j < k; j++)
                if (j != m) t += 8.0 * (G[m * k + j] * Eq4 - M[m * k + j] * inv) * A[j * d + b];
            grad[m * d + b] = t / c + kappa * (G2[m * d + b] * inv - A[m * d + b] * Eq2) + delta * A[m * d + b];
        }
    }
}
