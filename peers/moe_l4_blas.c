/* The `openblas` peer of moe_l4_grad_f64 (refast/moe_loss.h): what one writes with a BLAS at hand.
 * Per block of RF_MOE_BLOCK samples: U = X A^T (cblas_dgemm, nb x k), the per-sample coefficients
 * (rf_l4_sample_coef, as every level), the coefficient matrix C = [q4 C4 | q2 U] (nb x 2k) and the
 * two gradient sums at once as C^T X (cblas_dgemm, 2k x d, written straight into the block's G4, G2
 * rows, which are contiguous). Block sums pairwise (rf_moe_pairwise), then rf_l4_finish: the same
 * summation contract as ref. OpenBLAS runs on one thread, like every other row of the bench. */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "moe_l4_common.h"
#include "refast/moe_loss.h"
#include "moe_sums.h"
#include "refast/moe_moments.h"

static void single_thread(void)
{
    static int done;
    if (!done) {
        openblas_set_num_threads(1);
        done = 1;
    }
}

void moe_l4_grad_f64_openblas(const double *x, const double *q4, const double *q2, size_t n, size_t d,
                              size_t k, const double *A, const double *hyper, double *loss, double *grad)
{
    if (!rf_l4_inputs_ok(x, q4, q2, n, d, k, A, hyper)) {
        rf_l4_fill_nan(d, k, loss, grad);
        return;
    }
    single_thread();
    double nrm[RF_MOE_L4_MAX_K], G[RF_MOE_L4_MAX_K * RF_MOE_L4_MAX_K], coef[RF_MOE_L4_MAX_K];
    const double N = rf_l4_gram(A, d, k, nrm, G), mu = hyper[RF_L4_MU];
    const size_t size = rf_l4_acc_size(k, d);
    double *blk = malloc(size * sizeof *blk), *total = malloc(size * sizeof *total);
    double *U = malloc(RF_MOE_BLOCK * k * sizeof *U), *C = malloc(RF_MOE_BLOCK * 2 * k * sizeof *C);
    rf_moe_pairwise pw;
    rf_moe_pairwise_init(&pw, size);
    int status = blk && total && U && C ? 0 : -1;
    for (size_t i0 = 0; i0 < n && status == 0; i0 += RF_MOE_BLOCK) {
        const size_t nb = n - i0 < RF_MOE_BLOCK ? n - i0 : RF_MOE_BLOCK;
        const double *xb = x + i0 * d;
        memset(blk, 0, size * sizeof *blk);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)k, (int)d, 1.0, xb, (int)d, A,
                    (int)d, 0.0, U, (int)k);
        double *M = blk + L4_M, *E2 = blk + rf_l4_off_e(k);
        for (size_t s = 0; s < nb; s++) {
            const double *u = U + s * k, w4 = q4[i0 + s], w2 = q2[i0 + s];
            blk[L4_PHI] += w4 * rf_l4_sample_coef(u, nrm, G, N, k, mu, coef);
            blk[L4_Q4] += w4;
            blk[L4_Q2] += w2;
            for (size_t i = 0; i < k; i++) {
                for (size_t j = 0; j < k; j++) M[i * k + j] += w4 * u[i] * u[j];
                E2[i] += w2 * u[i] * u[i];
                C[s * 2 * k + i] = w4 * coef[i];
                C[s * 2 * k + k + i] = w2 * u[i];
            }
        }
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)(2 * k), (int)d, (int)nb, 1.0, C,
                    (int)(2 * k), xb, (int)d, 0.0, blk + rf_l4_off_g4(k), (int)d);
        status = rf_moe_pairwise_push(&pw, blk);
    }
    if (status == 0) status = rf_moe_pairwise_result(&pw, total);
    if (status == 0) rf_l4_finish(total, n, d, k, A, hyper, loss, grad);
    else rf_l4_fill_nan(d, k, loss, grad);
    rf_moe_pairwise_free(&pw);
    free(blk);
    free(total);
    free(U);
    free(C);
}
