/* L_log of seed 003 eq. 8 and its gradient in the gating parameters (refast/moe_loss.h), ref only.
 *
 * Derived here from eq. 8 alone (independent of the E-step kernels of refast/moe_em.h, which the
 * "gradient EM == gradient descent on L_log" test compares it with): with logits l_i = <w_i, x>
 * (l_k = 0) and log-densities r_i = -(y - g(<a_i, x>))^2 / (2 sigma^2) - log(sigma sqrt(2 pi)),
 *   -log P(y | x) = -LSE_i(l_i + r_i) + LSE_i(l_i)
 *   d/dw_j = -(e^{l_j + r_j} / sum_i e^{l_i + r_i} - e^{l_j} / sum_i e^{l_i}) x = -(post_j - gate_j) x.
 * Both log-sum-exps subtract their maximum, so no density underflows to a -inf log-likelihood.
 * Samples in blocks of RF_MOE_BLOCK, block sums pairwise (as every MoE reduction here).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/moe_loss.h"
#include "moe_sums.h"
#include "refast/moe_moments.h"

static double lse(const double *v, size_t k)
{
    double m = v[0];
    for (size_t i = 1; i < k; i++)
        if (v[i] > m) m = v[i];
    double s = 0.0;
    for (size_t i = 0; i < k; i++) s += exp(v[i] - m);
    return m + log(s);
}

static bool finite_all(const double *v, size_t n)
{
    double probe = 0.0;
    for (size_t i = 0; i < n; i++) probe += 0.0 * v[i];
    return probe == 0.0;
}

static void fill_nan(double *value, double *grad, size_t count)
{
    *value = NAN;
    if (grad)
        for (size_t i = 0; i < count; i++) grad[i] = NAN;
}

int RF_REF(moe_llog_f64)(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                const double *W, int g, double sigma, double *value, double *grad_W)
{
    const size_t nw = (k >= 2 ? k - 1 : 0) * d;
    if (k < 2 || k > 64 || d < 1 || !(sigma > 0.0) || !isfinite(sigma) || (unsigned)g >= RF_MOE_G_COUNT) {
        fill_nan(value, grad_W, nw);
        return -1;
    }
    if (!finite_all(x, n * d) || !finite_all(y, n) || !finite_all(A, k * d) || !finite_all(W, nw)) {
        fill_nan(value, grad_W, nw);
        return 0;
    }
    const size_t size = 1 + nw; /* [0] sum of -log P, then the gradient sums */
    double *blk = malloc(size * sizeof *blk), *total = malloc(size * sizeof *total);
    rf_moe_pairwise pw;
    rf_moe_pairwise_init(&pw, size);
    int status = blk && total ? 0 : -1;
    const double lognorm = -log(sigma * sqrt(2.0 * 3.14159265358979323846));
    double l[64], joint[64];
    for (size_t i0 = 0; i0 < n && status == 0; i0 += RF_MOE_BLOCK) {
        const size_t i1 = n - i0 < RF_MOE_BLOCK ? n : i0 + RF_MOE_BLOCK;
        memset(blk, 0, size * sizeof *blk);
        for (size_t s = i0; s < i1; s++) {
            const double *xs = x + s * d;
            for (size_t i = 0; i < k; i++) {
                double li = 0.0, ui = 0.0;
                for (size_t b = 0; b < d; b++) {
                    if (i + 1 < k) li += W[i * d + b] * xs[b];
                    ui += A[i * d + b] * xs[b];
                }
                const double res = y[s] - rf_moe_g_eval(g, ui);
                l[i] = li;
                joint[i] = li + (-res * res / (2.0 * sigma * sigma) + lognorm);
            }
            const double lj = lse(joint, k), lg = lse(l, k);
            blk[0] += -(lj - lg);
            for (size_t j = 0; j + 1 < k; j++) {
                const double coef = -(exp(joint[j] - lj) - exp(l[j] - lg));
                for (size_t b = 0; b < d; b++) blk[1 + j * d + b] += coef * xs[b];
            }
        }
        status = rf_moe_pairwise_push(&pw, blk);
    }
    if (status == 0) status = rf_moe_pairwise_result(&pw, total);
    if (status == 0) {
        const double inv = n ? 1.0 / (double)n : 0.0;
        *value = total[0] * inv;
        if (grad_W)
            for (size_t i = 0; i < nw; i++) grad_W[i] = total[1 + i] * inv;
    } else {
        fill_nan(value, grad_W, nw);
    }
    rf_moe_pairwise_free(&pw);
    free(blk);
    free(total);
    return status;
}
