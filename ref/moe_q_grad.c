/* grad Q(W'|W_t) and Q(W'|W_t) at any W' for given posteriors (refast/moe_gating.h, moe_q_grad_f64):
 * the reference of the gradient the Newton M-step of gating EM evaluates next to the Hessian. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "moe_sums.h"
#include "refast/moe_em.h"
#include "refast/moe_gating.h"

int RF_REF(moe_q_grad_f64)(const double *x, const double *post, size_t n, size_t d, size_t k, const double *W,
                  double *grad, double *q)
{
    if (k < 2 || k > RF_MOE_EM_MAX_K || d < 1 || d > RF_MOE_MAX_D) return -1;
    const size_t kf = k - 1, m = kf * d;
    double *blk = malloc((m + 1) * sizeof *blk);
    rf_moe_pairwise pw;
    rf_moe_pairwise_init(&pw, m + 1);
    int rc = blk ? 0 : -1;
    for (size_t i0 = 0; i0 < n && rc == 0; i0 += RF_MOE_EM_BLOCK) {
        const size_t i1 = n - i0 < RF_MOE_EM_BLOCK ? n : i0 + RF_MOE_EM_BLOCK;
        memset(blk, 0, (m + 1) * sizeof *blk);
        for (size_t i = i0; i < i1; i++) {
            const double *xi = x + i * d, *pi = post + i * k;
            double h[RF_MOE_EM_MAX_K], e[RF_MOE_EM_MAX_K], M = 0.0;
            for (size_t j = 0; j < kf; j++) {
                /* four interleaved partial sums: a sequential chain of d dependent adds is
                 * latency-bound (this loop runs once per sample per inner Newton step) */
                const double *w = W + j * d;
                double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
                size_t t = 0;
                for (; t + 4 <= d; t += 4) {
                    s0 += w[t] * xi[t];
                    s1 += w[t + 1] * xi[t + 1];
                    s2 += w[t + 2] * xi[t + 2];
                    s3 += w[t + 3] * xi[t + 3];
                }
                for (; t < d; t++) s0 += w[t] * xi[t];
                h[j] = (s0 + s1) + (s2 + s3);
                if (h[j] > M) M = h[j];
            }
            double tot = exp(-M), lin = 0.0;
            for (size_t j = 0; j < kf; j++) tot += (e[j] = exp(h[j] - M));
            const double inv = 1.0 / tot;
            for (size_t j = 0; j < kf; j++) {
                const double coef = pi[j] - e[j] * inv; /* post_ij - q_ij */
                double *gj = blk + j * d;
                for (size_t t = 0; t < d; t++) gj[t] += coef * xi[t];
                lin += pi[j] * h[j];
            }
            blk[m] += lin - (M + log(tot));
        }
        rc = rf_moe_pairwise_push(&pw, blk);
    }
    if (rc == 0) rc = rf_moe_pairwise_result(&pw, blk);
    if (rc == 0) {
        memcpy(grad, blk, m * sizeof *grad);
        if (q) *q = blk[m];
    }
    rf_moe_pairwise_free(&pw);
    free(blk);
    return rc;
}

