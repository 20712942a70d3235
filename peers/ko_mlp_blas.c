/* The `openblas` peer of ko_mlp_f32 (refast/ko_mlp.h): the same block through cblas_sgemm, one
 * call per layer over a batch of KO_BLAS_BATCH coordinates. The structure-of-arrays input is
 * already a row-major in_dim x count matrix, so layer 1 reads it in place (ldb = count):
 *   H_1 = W_1 X_batch + b_1 1^T  (C preset to the bias, beta = 1),  A_l = selu(H_l) elementwise
 *   (libm expm1f, as ref), ..., out_batch = W_L A_(L-1) + b_L.
 * OpenBLAS runs single-threaded (openblas_set_num_threads(1)) so that per-core rates compare. The
 * batch (256 coordinates: 32 KiB of activations per layer) keeps the activations in L1/L2.
 */
#include <cblas.h>
#include <math.h>

#include "refast/ko_mlp.h"

void openblas_set_num_threads(int num_threads);

#define KO_BLAS_BATCH 256

static float selu(float t)
{
    return t > 0.0f ? 1.0507009873554805f * t : 1.7580993408473766f * expm1f(t);
}

void ko_mlp_f32_openblas(const rf_ko_mlp *net, const float *in, size_t count, float *out)
{
    float buf[2][RF_KO_MAX_HIDDEN * KO_BLAS_BATCH]; /* 64 KiB of stack, reentrant */
    openblas_set_num_threads(1);
    const int H = (int)net->hidden, L = (int)net->hidden_layers;
    for (size_t j = 0; j < count; j += KO_BLAS_BATCH) {
        const int nb = (int)(count - j < KO_BLAS_BATCH ? count - j : KO_BLAS_BATCH);
        const float *a = in + j;
        int k = (int)net->in_dim, lda_in = (int)count;
        for (int l = 0; l < L; l++) {
            float *h = buf[l & 1];
            for (int o = 0; o < H; o++)
                for (int t = 0; t < nb; t++) h[o * nb + t] = net->b[l][o];
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, H, nb, k, 1.0f, net->w[l], k, a,
                        lda_in, 1.0f, h, nb);
            for (int e = 0; e < H * nb; e++) h[e] = selu(h[e]);
            a = h;
            k = H;
            lda_in = nb;
        }
        float *y = out + j;
        for (int t = 0; t < nb; t++) y[t] = net->b[L][0];
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 1, nb, k, 1.0f, net->w[L], k, a,
                    lda_in, 1.0f, y, nb);
    }
}
