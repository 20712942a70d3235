/* The `openblas` peer of the KO Polar(64,7) codec (refast/ko_polar.h): the batched codec of
 * fast/generic/ko_polar_driver.h with every block through cblas_sgemm, one call per layer over a
 * batch of KOP_BLAS_BATCH columns (frames, or positions x frames for the f_right stages), the SELU
 * and tanh(x/2) of ref/ko_polar.c (libm) -- so that a comparison with a fast level measures the
 * block evaluation, not the batching. The driver's column-major-by-row layout is already the
 * row-major in x count matrix sgemm wants (ldb = the row stride):
 *   H_1 = W_1 Z + b_1 1^T (C preset to the bias, beta = 1), A_1 = selu(H_1),
 *   H_2 = W_2 A_1 + b_2 1^T, C_2 = selu(H_2) (+ S [Z; Z_lo Z_hi] for g blocks: beta = 1 again),
 *   A_3 = selu(W_3 C_2 + b_3 1^T), out = W_4 A_3 + b_4 1^T written with ldc = the output stride.
 * OpenBLAS runs single-threaded (openblas_set_num_threads(1)) so that per-core rates compare.
 */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "refast/ko_polar.h"

void openblas_set_num_threads(int num_threads);

#define KOP_BLAS_BATCH 128
#define KP_H ((int)RF_KOP_HIDDEN)

static float selu(float t)
{
    return t > 0.0f ? 1.0507009873554805f * t : 1.7580993408473766f * expm1f(t);
}

/* C (rows x nb, ldc) = bias 1^T, then C += W (rows x k) B (k x nb, ldb). */
static void dense(const float *w, const float *bias, int rows, int k, const float *b, int ldb, int nb, float *c, int ldc)
{
    for (int o = 0; o < rows; o++)
        for (int t = 0; t < nb; t++) c[o * ldc + t] = bias[o];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, nb, k, 1.0f, w, k, b, ldb, 1.0f, c, ldc);
}

static void selu_rows(float *h, int n)
{
    for (int e = 0; e < n; e++) h[e] = selu(h[e]);
}

static void kp_block_blas(const rf_kop_block *blk, const float *in, size_t stride, size_t count, float *out,
                          size_t ostride)
{
    /* 2 x 64 rows of activations + the skip input (at most 96 rows) of 128 columns: 112 KiB of stack */
    float a[RF_KOP_HIDDEN * KOP_BLAS_BATCH], c[RF_KOP_HIDDEN * KOP_BLAS_BATCH];
    float sk[3 * RF_KOP_N / 2 * KOP_BLAS_BATCH];
    openblas_set_num_threads(1);
    const int n_in = (int)blk->in, h = n_in / 2;
    for (size_t j = 0; j < count; j += KOP_BLAS_BATCH) {
        const int nb = (int)(count - j < KOP_BLAS_BATCH ? count - j : KOP_BLAS_BATCH);
        const float *z = in + j;
        if (blk->skip) { /* [z; z[0:h] * z[h:2h]] before anything is written (in place) */
            for (int i = 0; i < n_in; i++) memcpy(sk + i * nb, z + (size_t)i * stride, (size_t)nb * sizeof(float));
            for (int i = 0; i < h; i++)
                for (int t = 0; t < nb; t++) sk[(n_in + i) * nb + t] = sk[i * nb + t] * sk[(h + i) * nb + t];
        }
        dense(blk->w[0], blk->b[0], KP_H, n_in, z, (int)stride, nb, a, nb);
        selu_rows(a, KP_H * nb);
        dense(blk->w[1], blk->b[1], KP_H, KP_H, a, nb, nb, c, nb);
        selu_rows(c, KP_H * nb);
        if (blk->skip)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, KP_H, nb, 3 * h, 1.0f, blk->s, 3 * h, sk, nb, 1.0f, c,
                        nb);
        dense(blk->w[2], blk->b[2], KP_H, KP_H, c, nb, nb, a, nb);
        selu_rows(a, KP_H * nb);
        dense(blk->w[3], blk->b[3], (int)blk->out, KP_H, a, nb, nb, out + j, (int)ostride);
    }
}

static void kp_tanh_half_libm(const float *x, float *out, size_t n)
{
    for (size_t j = 0; j < n; j++) out[j] = tanhf(x[j] / 2.0f);
}

#define KOP_BLOCK(blk, in, stride, count, out, ostride) kp_block_blas(blk, in, stride, count, out, ostride)
#define KOP_TANH_HALF(x, out, n) kp_tanh_half_libm(x, out, n)
#include "ko_polar_driver.h"

void ko_polar_encode_f32_openblas(const rf_ko_polar_model *mdl, const uint8_t *msg, size_t frames, float *x)
{
    kp_encode(mdl, msg, frames, x);
}

void ko_polar_decode_f32_openblas(const rf_ko_polar_model *mdl, const float *y, size_t frames, float *llr)
{
    kp_decode(mdl, y, frames, llr);
}
