/* Hessian of the gating-EM objective Q(W'|W_t) in W', scalar reference (refast/moe_gating.h):
 *
 *   h_j   = <w'_j, x_i>  (j < k-1)                                  gating logits, w'_{k-1} = 0
 *   q_j   = e^(h_j - M) / (e^-M + sum_l e^(h_l - M)),  M = max(0, max_l h_l)    softmax
 *   c_jl  = delta_jl q_j - q_j q_l                                  (diag(q) - q q^T)_jl
 *   H[j*d+s][l*d+t] = - sum_i c_jl x_is x_it                        H = -sum (diag q - q q^T) (x) x x^T
 *
 * as the formulas read: one sample at a time, the upper triangle (row index <= column index) of
 * the m x m matrix, m = (k-1) d, term c_jl * (x_s x_t). Samples in blocks of RF_MOE_EM_BLOCK summed
 * in order; block sums combined pairwise (rf_moe_pairwise); the lower triangle is the mirror.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/moe_em.h"
#include "moe_sums.h"
#include "refast/moe_gating.h"
#include "refast/moe_moments.h"

/* q (k-1 entries) of one sample: the gating softmax over the free experts and the fixed 0 logit. */
static void gate_free(const double *x, size_t d, size_t k, const double *W, double *q)
{
    double M = 0.0, h[RF_MOE_EM_MAX_K];
    for (size_t j = 0; j + 1 < k; j++) {
        double s = 0.0;
        for (size_t t = 0; t < d; t++) s += W[j * d + t] * x[t];
        h[j] = s;
        if (s > M) M = s;
    }
    double tot = exp(-M);
    for (size_t j = 0; j + 1 < k; j++) tot += (q[j] = exp(h[j] - M));
    for (size_t j = 0; j + 1 < k; j++) q[j] /= tot;
}

int RF_REF(moe_q_hess_f64)(const double *x, size_t n, size_t d, size_t k, const double *W, double *H)
{
    if (k < 2 || k > RF_MOE_EM_MAX_K || d < 1 || d > RF_MOE_MAX_D || (k - 1) * d > RF_MOE_GATING_MAX_M)
        return -1;
    const size_t m = (k - 1) * d;
    double *blk = malloc(m * m * sizeof *blk);
    rf_moe_pairwise pw;
    rf_moe_pairwise_init(&pw, m * m);
    int rc = blk ? 0 : -1;
    for (size_t i0 = 0; i0 < n && rc == 0; i0 += RF_MOE_EM_BLOCK) {
        const size_t i1 = n - i0 < RF_MOE_EM_BLOCK ? n : i0 + RF_MOE_EM_BLOCK;
        memset(blk, 0, m * m * sizeof *blk);
        for (size_t i = i0; i < i1; i++) {
            const double *xi = x + i * d;
            double q[RF_MOE_EM_MAX_K];
            gate_free(xi, d, k, W, q);
            /* the upper triangle: row (j, s), columns (l, t) with l > j, or l = j and t >= s */
            for (size_t j = 0; j + 1 < k; j++)
                for (size_t s = 0; s < d; s++) {
                    double *row = blk + (j * d + s) * m;
                    for (size_t l = j; l + 1 < k; l++) {
                        const double cjl = j == l ? q[j] - q[j] * q[j] : -(q[j] * q[l]);
                        for (size_t t = (l == j ? s : 0); t < d; t++) row[l * d + t] += cjl * (xi[s] * xi[t]);
                    }
                }
        }
        rc = rf_moe_pairwise_push(&pw, blk);
    }
    if (rc == 0) rc = rf_moe_pairwise_result(&pw, blk);
    if (rc == 0) {
        for (size_t r = 0; r < m; r++)
            for (size_t c = r; c < m; c++) H[r * m + c] = H[c * m + r] = -blk[r * m + c];
    }
    rf_moe_pairwise_free(&pw);
    free(blk);
    return rc;
}
