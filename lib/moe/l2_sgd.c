/* Mini-batch SGD on the l2 loss of seed 003 §3.1 (the baseline of its figure 1; refast/moe_pipeline.h):
 *   l2(A, W) = E (y - yhat(x))^2,  yhat = sum_i pi_i(x) g(<a_i, x>),  pi = softmax(<w_1,x>..<w_{k-1},x>, 0).
 * With e = yhat - y: d/da_i = 2 e pi_i g'(<a_i,x>) x,  d/dw_j = 2 e pi_j (g(<a_j,x>) - yhat) x  (j < k-1). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "moe/pipeline.h"
#include "refast/rng.h"

/* Prediction for one x; fills pi, gz (g(<a_i,x>)), z. */
static double predict(const double *xi, unsigned d, unsigned k, rf_moe_g g, const double *A, const double *W,
                      double *pi, double *gz, double *z)
{
    double mx = 0;
    for (unsigned j = 0; j < k; j++) {
        double s = 0, h = 0;
        for (unsigned t = 0; t < d; t++) {
            s += A[(size_t)j * d + t] * xi[t];
            if (j + 1 < k) h += W[(size_t)j * d + t] * xi[t];
        }
        z[j] = s;
        gz[j] = rf_moe_g_eval(g, s);
        pi[j] = h;
        mx = fmax(mx, h);
    }
    double sum = 0;
    for (unsigned j = 0; j < k; j++) sum += (pi[j] = exp(pi[j] - mx));
    double yhat = 0;
    for (unsigned j = 0; j < k; j++) {
        pi[j] /= sum;
        yhat += pi[j] * gz[j];
    }
    return yhat;
}

double rf_mp_l2_loss(const double *x, const double *y, size_t n, unsigned d, unsigned k, rf_moe_g g, const double *A,
                     const double *W)
{
    double pi[RF_MP_MAX_K], gz[RF_MP_MAX_K], z[RF_MP_MAX_K], s = 0;
    if (k < 2 || k > RF_MP_MAX_K || n == 0) return NAN;
    for (size_t i = 0; i < n; i++) {
        const double e = predict(x + i * d, d, k, g, A, W, pi, gz, z) - y[i];
        s += e * e;
    }
    return s / (double)n;
}

int rf_mp_l2_sgd(const double *x, const double *y, size_t n, unsigned d, unsigned k, rf_moe_g g, double lr,
                 size_t batch, unsigned epochs, double R, uint64_t seed, double *A, double *W, double *iterates)
{
    if (k < 2 || k > RF_MP_MAX_K || d == 0 || d > RF_MOE_MAX_D || batch == 0 || n == 0 || !(lr > 0)) return -1;
    const size_t kd = (size_t)k * d;
    /* the same kind of random start as joint EM (other streams) */
    rf_mp_random_sphere(seed, 4000, k, d, A);
    rf_mp_random_sphere(seed, 5000, k, d, W);
    for (unsigned j = 0; j + 1 < k; j++) {
        uint32_t u;
        rf_philox_u32(seed, 6000, j, 1, &u);
        const double rad = R * pow(((double)u + 0.5) * 0x1p-32, 1.0 / d);
        for (unsigned t = 0; t < d; t++) W[(size_t)j * d + t] *= rad;
    }
    memset(W + (size_t)(k - 1) * d, 0, d * sizeof *W);
    size_t *order = malloc(n * sizeof *order);
    uint32_t *words = malloc(n * sizeof *words);
    double *gA = malloc(kd * sizeof *gA), *gW = malloc(kd * sizeof *gW);
    int rc = order && words && gA && gW ? 0 : -1;
    if (rc == 0 && iterates) memcpy(iterates, A, kd * sizeof *A), memcpy(iterates + kd, W, kd * sizeof *W);
    double pi[RF_MP_MAX_K], gz[RF_MP_MAX_K], z[RF_MP_MAX_K];
    for (unsigned ep = 1; ep <= epochs && rc == 0; ep++) {
        rf_philox_u32(seed, 7000 + (uint64_t)ep, 0, n, words);
        for (size_t i = 0; i < n; i++) order[i] = i;
        for (size_t i = n; i > 1; i--) {
            const size_t j = words[i - 1] % i, tmp = order[i - 1];
            order[i - 1] = order[j];
            order[j] = tmp;
        }
        for (size_t b0 = 0; b0 < n; b0 += batch) {
            const size_t len = n - b0 < batch ? n - b0 : batch;
            memset(gA, 0, kd * sizeof *gA);
            memset(gW, 0, kd * sizeof *gW);
            for (size_t s = 0; s < len; s++) {
                const size_t i = order[b0 + s];
                const double *xi = x + i * d;
                const double yhat = predict(xi, d, k, g, A, W, pi, gz, z), e = 2 * (yhat - y[i]);
                for (unsigned j = 0; j < k; j++) {
                    const double ca = e * pi[j] * rf_moe_g_deriv(g, z[j]), cw = e * pi[j] * (gz[j] - yhat);
                    for (unsigned t = 0; t < d; t++) {
                        gA[(size_t)j * d + t] += ca * xi[t];
                        if (j + 1 < k) gW[(size_t)j * d + t] += cw * xi[t];
                    }
                }
            }
            const double step = lr / (double)len;
            for (size_t e = 0; e < kd; e++) A[e] -= step * gA[e], W[e] -= step * gW[e];
        }
        for (size_t e = 0; e < kd; e++)
            if (!isfinite(A[e]) || !isfinite(W[e])) rc = -1;
        if (rc == 0 && iterates) {
            memcpy(iterates + 2 * (size_t)ep * kd, A, kd * sizeof *A);
            memcpy(iterates + 2 * (size_t)ep * kd + kd, W, kd * sizeof *W);
        }
    }
    free(order);
    free(words);
    free(gA);
    free(gW);
    return rc;
}
