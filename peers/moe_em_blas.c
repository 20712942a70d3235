/* The `openblas` peers of the gating-EM kernels (refast/moe_em.h): the same computation expressed
 * the way a BLAS user would write it.
 *   logits:   [H Z] = X_chunk V^T by one cblas_dgemm per chunk of 1024 samples, V = (w_0..w_{k-2},
 *             a_0..a_{k-1}) stacked, (2k-1) x d
 *   softmaxes with libm exp / log / tanh per sample (as ref)
 *   gradient: per block of RF_MOE_EM_BLOCK samples G_b = C_b^T X_b by cblas_dgemm (C = post - gate),
 *             block sums combined pairwise like ref, so the `sum` bound of ref applies unchanged.
 * OpenBLAS runs single-threaded (openblas_set_num_threads(1)) so that per-core rates compare.
 */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "moe_em_internal.h"
#include "refast/moe_em.h"

void openblas_set_num_threads(int num_threads);

#define CHUNK (16 * RF_MOE_EM_BLOCK)

static int blas_run(const double *x, const double *y, size_t n, size_t d, size_t k, const double *A,
                    const double *W, int g, double sigma, double *post, double *grad, double *q)
{
    if (k < 2 || k > RF_MOE_EM_MAX_K || d < 1 || d > RF_MOE_MAX_D || g < 0 || g >= RF_MOE_G_COUNT) return -1;
    openblas_set_num_threads(1);
    const size_t L = 2 * k - 1, km = k - 1, len = km * d + 1;
    const size_t nblocks = (n + RF_MOE_EM_BLOCK - 1) / RF_MOE_EM_BLOCK;
    unsigned nlevels = 1;
    while (((size_t)1 << (nlevels - 1)) < nblocks) nlevels++;
    double *mem = malloc((L * d + CHUNK * L + CHUNK * km + CHUNK + k + len * (nlevels + 1)) * sizeof *mem);
    if (!mem) return -1;
    double *V = mem, *LG = V + L * d, *C = LG + CHUNK * L, *Q = C + CHUNK * km, *pi = Q + CHUNK;
    double *blk = pi + k, *level = blk + len;
    unsigned char full[64] = {0};
    memcpy(V, W, km * d * sizeof *V);
    memcpy(V + km * d, A, k * d * sizeof *V);
    const double inv_sigma = 1.0 / sigma;

    for (size_t c0 = 0; c0 < n; c0 += CHUNK) {
        const size_t nc = n - c0 < CHUNK ? n - c0 : CHUNK;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nc, (int)L, (int)d, 1.0, x + c0 * d,
                    (int)d, V, (int)d, 0.0, LG, (int)L);
        for (size_t s = 0; s < nc; s++) {
            const double *h = LG + s * L, *z = h + km;
            double *p = post ? post + (c0 + s) * k : pi;
            double m = -INFINITY;
            for (size_t j = 0; j < k; j++) {
                const double r = (y[c0 + s] - rf_moe_em_g(g, z[j])) * inv_sigma;
                p[j] = (j < km ? h[j] : 0.0) - 0.5 * r * r;
                if (p[j] > m) m = p[j];
            }
            double tot = 0.0;
            for (size_t j = 0; j < k; j++) tot += (p[j] = exp(p[j] - m));
            for (size_t j = 0; j < k; j++) p[j] /= tot;
            if (!grad) continue;
            double m0 = 0.0, tot0, qs = 0.0;
            for (size_t j = 0; j < km; j++)
                if (h[j] > m0) m0 = h[j];
            tot0 = exp(-m0);
            for (size_t j = 0; j < km; j++) tot0 += exp(h[j] - m0);
            for (size_t j = 0; j < km; j++) {
                C[s * km + j] = p[j] - exp(h[j] - m0) / tot0;
                qs += p[j] * h[j];
            }
            Q[s] = qs - (m0 + log(tot0));
        }
        if (!grad) continue;
        for (size_t b0 = 0; b0 < nc; b0 += RF_MOE_EM_BLOCK) {
            const size_t nb = nc - b0 < RF_MOE_EM_BLOCK ? nc - b0 : RF_MOE_EM_BLOCK;
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)km, (int)d, (int)nb, 1.0, C + b0 * km,
                        (int)km, x + (c0 + b0) * d, (int)d, 0.0, blk, (int)d);
            double qs = 0.0;
            for (size_t s = 0; s < nb; s++) qs += Q[b0 + s];
            blk[len - 1] = qs;
            unsigned l = 0; /* the binary counter of ref/moe_em.c */
            while (full[l]) {
                for (size_t e = 0; e < len; e++) blk[e] = level[l * len + e] + blk[e];
                full[l++] = 0;
            }
            memcpy(level + l * len, blk, len * sizeof *blk);
            full[l] = 1;
        }
    }
    if (grad) {
        int any = 0;
        for (unsigned l = 0; l < nlevels; l++) {
            if (!full[l]) continue;
            for (size_t e = 0; e < len; e++) blk[e] = any ? level[l * len + e] + blk[e] : level[l * len + e];
            any = 1;
        }
        if (!any) memset(blk, 0, len * sizeof *blk);
        memcpy(grad, blk, (len - 1) * sizeof *grad);
        *q = blk[len - 1];
    }
    free(mem);
    return 0;
}

int moe_estep_f64_openblas(const double *x, const double *y, size_t n, size_t d, size_t k,
                           const double *A, const double *W, int g, double sigma, double *post)
{
    return blas_run(x, y, n, d, k, A, W, g, sigma, post, NULL, NULL);
}

int moe_em_grad_f64_openblas(const double *x, const double *y, size_t n, size_t d, size_t k,
                             const double *A, const double *W, int g, double sigma, double *grad,
                             double *q)
{
    return blas_run(x, y, n, d, k, A, W, g, sigma, NULL, grad, q);
}
