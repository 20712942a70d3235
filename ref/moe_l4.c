/* The L4 loss of seed 003 eq. 6 and its gradient in A (refast/moe_loss.h), scalar reference.
 *
 * The definition, sample by sample:
 *   1. projections u_i = <a_i, x_s> (a plain dot product, b = 0 .. d-1);
 *   2. Phi_s and the coefficients C4_si = dPhi_s/du_i of the quartic part
 *      c (sum_{i != j} t1 - mu sum_i t2)  (kernels/moe_l4_common.c: rf_l4_sample_coef);
 *   3. the weighted sums of the block: q4 Phi_s, q4, q2, q4 u_i u_j, q2 u_i^2 and the two gradient
 *      sums q4 C4_si x_s and q2 u_si x_s, added one sample after the other.
 * Blocks of RF_MOE_BLOCK samples are combined pairwise (rf_moe_pairwise), then the closing step
 * (rf_l4_finish) adds the terms in a_j that come from n_i = |a_i|^2 and G_ij = <a_i, a_j>, the
 * lambda (t3) and delta terms, and divides by n.
 */
#include <stdlib.h>
#include <string.h>

#include "moe_l4_common.h"
#include "refast/moe_loss.h"
#include "moe_sums.h"
#include "refast/moe_moments.h"

/* Adds the statistics of samples [i0, i1) to the block sums blk (zeroed by the caller). */
static void block_sums(const double *x, const double *q4, const double *q2, size_t i0, size_t i1,
                       size_t d, size_t k, const double *A, const double *nrm, const double *G, double N,
                       double mu, double *blk)
{
    double u[RF_MOE_L4_MAX_K], coef[RF_MOE_L4_MAX_K];
    double *M = blk + L4_M, *E2 = blk + rf_l4_off_e(k);
    double *G4 = blk + rf_l4_off_g4(k), *G2 = blk + rf_l4_off_g2(k, d);
    for (size_t s = i0; s < i1; s++) {
        const double *xs = x + s * d;
        for (size_t i = 0; i < k; i++) {
            double t = 0.0;
            for (size_t b = 0; b < d; b++) t += A[i * d + b] * xs[b];
            u[i] = t;
        }
        const double phi = rf_l4_sample_coef(u, nrm, G, N, k, mu, coef);
        blk[L4_PHI] += q4[s] * phi;
        blk[L4_Q4] += q4[s];
        blk[L4_Q2] += q2[s];
        for (size_t i = 0; i < k; i++) {
            for (size_t j = 0; j < k; j++) M[i * k + j] += q4[s] * u[i] * u[j];
            E2[i] += q2[s] * u[i] * u[i];
            const double w4 = q4[s] * coef[i], w2 = q2[s] * u[i];
            for (size_t b = 0; b < d; b++) {
                G4[i * d + b] += w4 * xs[b];
                G2[i * d + b] += w2 * xs[b];
            }
        }
    }
}

void RF_REF(moe_l4_grad_f64)(const double *x, const double *q4, const double *q2, size_t n, size_t d,
                             size_t k, const double *A, const double *hyper, double *loss, double *grad)
{
    if (!rf_l4_inputs_ok(x, q4, q2, n, d, k, A, hyper)) {
        rf_l4_fill_nan(d, k, loss, grad);
        return;
    }
    double nrm[RF_MOE_L4_MAX_K], G[RF_MOE_L4_MAX_K * RF_MOE_L4_MAX_K];
    const double N = rf_l4_gram(A, d, k, nrm, G);
    const size_t size = rf_l4_acc_size(k, d);
    double *blk = malloc(size * sizeof *blk), *total = malloc(size * sizeof *total);
    rf_moe_pairwise pw;
    rf_moe_pairwise_init(&pw, size);
    int status = blk && total ? 0 : -1;
    for (size_t i0 = 0; i0 < n && status == 0; i0 += RF_MOE_BLOCK) {
        const size_t i1 = n - i0 < RF_MOE_BLOCK ? n : i0 + RF_MOE_BLOCK;
        memset(blk, 0, size * sizeof *blk);
        block_sums(x, q4, q2, i0, i1, d, k, A, nrm, G, N, hyper[RF_L4_MU], blk);
        status = rf_moe_pairwise_push(&pw, blk);
    }
    if (status == 0) status = rf_moe_pairwise_result(&pw, total);
    if (status == 0) rf_l4_finish(total, n, d, k, A, hyper, loss, grad);
    else rf_l4_fill_nan(d, k, loss, grad);
    rf_moe_pairwise_free(&pw);
    free(blk);
    free(total);
}
