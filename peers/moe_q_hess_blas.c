/* The `openblas` peer of moe_q_hess_f64 (refast/moe_gating.h): the same Hessian expressed through
 * CBLAS. Per block of RF_MOE_EM_BLOCK samples: the gating logits X W_free^T by cblas_dgemm, q by
 * libm exp, then for each expert pair p = (j <= l) U_p = diag(c_jl) X_block and the d x d product
 * U_p^T X_block by cblas_dgemm (c_jl changes sign, so dsyrk on sqrt weights does not apply). Block
 * sums combined pairwise like ref; OpenBLAS single-threaded (set by the moe_em peer's convention). */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/moe_em.h"
#include "moe_sums.h"
#include "refast/moe_gating.h"
#include "refast/moe_moments.h"

void openblas_set_num_threads(int num_threads);

int moe_q_hess_f64_openblas(const double *x, size_t n, size_t d, size_t k, const double *W, double *H)
{
    if (k < 2 || k > RF_MOE_EM_MAX_K || d < 1 || d > RF_MOE_MAX_D || (k - 1) * d > RF_MOE_GATING_MAX_M)
        return -1;
    openblas_set_num_threads(1);
    const size_t kf = k - 1, m = kf * d, P = kf * k / 2, B = RF_MOE_EM_BLOCK;
    double *h = malloc(B * kf * sizeof *h), *c = malloc(P * B * sizeof *c);
    double *U = malloc(B * d * sizeof *U), *blk = malloc(P * d * d * sizeof *blk);
    rf_moe_pairwise pw;
    rf_moe_pairwise_init(&pw, P * d * d);
    int rc = (h && c && U && blk) ? 0 : -1;
    for (size_t i0 = 0; i0 < n && rc == 0; i0 += B) {
        const size_t nb = n - i0 < B ? n - i0 : B;
        const double *Xb = x + i0 * d;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, (int)kf, (int)d, 1.0, Xb, (int)d,
                    W, (int)d, 0.0, h, (int)kf);
        for (size_t i = 0; i < nb; i++) {
            double q[RF_MOE_EM_MAX_K], M = 0.0, tot;
            for (size_t j = 0; j < kf; j++)
                if (h[i * kf + j] > M) M = h[i * kf + j];
            tot = exp(-M);
            for (size_t j = 0; j < kf; j++) tot += (q[j] = exp(h[i * kf + j] - M));
            for (size_t j = 0; j < kf; j++) q[j] /= tot;
            size_t p = 0;
            for (size_t j = 0; j < kf; j++)
                for (size_t l = j; l < kf; l++, p++) c[p * B + i] = j == l ? q[j] - q[j] * q[j] : -(q[j] * q[l]);
        }
        for (size_t p = 0; p < P; p++) {
            for (size_t i = 0; i < nb; i++)
                for (size_t t = 0; t < d; t++) U[i * d + t] = c[p * B + i] * Xb[i * d + t];
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d, (int)d, (int)nb, 1.0, U, (int)d, Xb,
                        (int)d, 0.0, blk + p * d * d, (int)d);
        }
        rc = rf_moe_pairwise_push(&pw, blk);
    }
    if (rc == 0) rc = rf_moe_pairwise_result(&pw, blk);
    if (rc == 0) {
        size_t p = 0;
        for (size_t j = 0; j < kf; j++)
            for (size_t l = j; l < kf; l++, p++)
                for (size_t s = 0; s < d; s++)
                    for (size_t t = 0; t < d; t++) {
                        const double v = -blk[p * d * d + (s <= t ? s * d + t : t * d + s)];
                        H[(j * d + s) * m + l * d + t] = v;
                        H[(l * d + t) * m + j * d + s] = v;
                    }
    }
    rf_moe_pairwise_free(&pw);
    free(h);
    free(c);
    free(U);
    free(blk);
    return rc;
}
