/* Batched KO Polar(64,7) encoder and decoder (mirrors ref/ko_polar.c: ko_polar_encode_f32_ref,
 * ko_polar_decode_f32_ref; ko-reference/README.md §8), kp_encode and kp_decode, included by
 * fast/generic/ko_polar.c (every vector level) and by peers/ko_polar_blas.c after they define:
 *   KOP_BLOCK(blk, in, stride, count, out, ostride)  one block of the model over `count` columns:
 *       input feature i of column c at in[i * stride + c], output unit o at out[o * ostride + c];
 *       out may be in's first row (in place: a column's inputs are read before its outputs are
 *       written)
 *   KOP_TANH_HALF(x, out, n)                          out[j] = tanh(x[j] / 2) (in place allowed)
 *
 * Trick: frames go across the columns. A batch of nb frames is kept as rows of nb floats
 * (structure of arrays: value j of frame f at row j, column f), so every block of the model -- a
 * whole-vector network in their architecture, not a coordinatewise one -- is one KOP_BLOCK call
 * over nb columns. The coordinatewise f_right blocks (t_j, t_(h+j), tanh(L/2)) of a stage see
 * their h positions as h nb columns: rows 0..h-1 of t are one contiguous row of h nb, rows
 * h..2h-1 the second, and the broadcast tanh(L/2) is written h times into rows 2h..3h-1 (dead by
 * then), so a stage is one block call of stride h nb, written over rows 0..h-1. The per-frame
 * steps (the fold t = y_a + y_b, signs, the root norm, transposes) are scalar loops: O(64) per
 * frame against the ~20k (encoder) / ~330k (decoder) multiply-adds of the blocks.
 */
#ifndef REFAST_FAST_KO_POLAR_DRIVER_H
#define REFAST_FAST_KO_POLAR_DRIVER_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/ko_polar.h"

#define KP_BATCH 256u /* frames per batch: the decoder's 48 rows of nb floats stay in L2 */

/* ---- encoder ---------------------------------------------------------------------------------- */

/* One g node over nb frames: z = rows [t (h rows), w (h rows)] -> t rows h..2h-1. */
static void kp_g_node(const rf_kop_block *g, float *t, float *z, unsigned h, size_t nb)
{
    memcpy(z, t, (size_t)h * nb * sizeof(float));
    KOP_BLOCK(g, z, nb, nb, t + (size_t)h * nb, nb);
}

static void kp_encode_batch(const rf_ko_polar_model *mdl, const uint8_t *msg, size_t nb, float *x, float *buf)
{
    const rf_kop_block *B = mdl->blocks;
    float *t = buf, *z = t + (RF_KOP_N / 2) * nb, *a = z + (RF_KOP_N / 2) * nb, *m = a + 2 * nb;
    for (size_t f = 0; f < nb; f++)
        for (unsigned j = 0; j < RF_KOP_K; j++) m[j * nb + f] = 1.0f - 2.0f * (float)(msg[f * RF_KOP_K + j] & 1u);
    const size_t row = nb * sizeof(float);
    /* b = (m6, g1_right([m6, m5])), a = (m4, g1_left([m4, m3])), t = (b, g2([b, a])) */
    memcpy(t, m + 6 * nb, row);
    memcpy(z + nb, m + 5 * nb, row);
    kp_g_node(&B[RF_KOP_G1_RIGHT], t, z, 1, nb);
    memcpy(a, m + 4 * nb, row);
    memcpy(z + nb, m + 3 * nb, row);
    kp_g_node(&B[RF_KOP_G1_LEFT], a, z, 1, nb);
    memcpy(z + 2 * nb, a, 2 * row);
    kp_g_node(&B[RF_KOP_G2], t, z, 2, nb);
    /* t = (t, g_i([t, m_bit 1_h])) for (g3, m2), (g4, m1), (g5, m0) */
    static const unsigned gs[3] = {RF_KOP_G3, RF_KOP_G4, RF_KOP_G5};
    for (unsigned s = 0, h = 4; s < 3; s++, h *= 2) {
        for (unsigned j = 0; j < h; j++) memcpy(z + (size_t)(h + j) * nb, m + (size_t)(2 - s) * nb, row);
        kp_g_node(&B[gs[s]], t, z, h, nb);
    }
    /* c = (t, t), x = c 8 / max(||c||, 1e-12); canonical position 63 - p holds their p */
    for (size_t f = 0; f < nb; f++) {
        float ss = 0.0f;
        for (unsigned j = 0; j < RF_KOP_N / 2; j++) ss += t[j * nb + f] * t[j * nb + f];
        const float nrm = sqrtf(2.0f * ss), scale = 8.0f / (nrm > 1e-12f ? nrm : 1e-12f);
        float *xf = x + f * RF_KOP_N;
        for (unsigned p = 0; p < RF_KOP_N / 2; p++) {
            const float v = t[p * nb + f] * scale;
            xf[RF_KOP_N - 1 - p] = v;
            xf[RF_KOP_N / 2 - 1 - p] = v;
        }
    }
}

static void kp_encode(const rf_ko_polar_model *mdl, const uint8_t *msg, size_t frames, float *x)
{
    if (frames == 0) return;
    const size_t B = frames < KP_BATCH ? frames : KP_BATCH;
    /* t: 32 rows, z: 32 rows, a: 2 rows, m: 7 rows */
    float *buf = malloc((RF_KOP_N + 2 + RF_KOP_K) * B * sizeof(float));
    if (!buf) {
        for (size_t i = 0; i < frames * RF_KOP_N; i++) x[i] = NAN;
        return;
    }
    for (size_t f0 = 0; f0 < frames; f0 += B) {
        const size_t nb = frames - f0 < B ? frames - f0 : B;
        kp_encode_batch(mdl, msg + f0 * RF_KOP_K, nb, x + f0 * RF_KOP_N, buf);
    }
    free(buf);
}

/* ---- decoder ---------------------------------------------------------------------------------- */

/* torch.sign: 0 at 0 */
static float kp_sgn(float v)
{
    return v > 0.0f ? 1.0f : v < 0.0f ? -1.0f : 0.0f;
}

/* A two-bit leaf over nb frames: q = rows [q0, q1, scratch] -> L_first = left(q),
 * L_second = right([q0, q1, tanh(L_first / 2)]) (the scratch row takes the tanh). */
static void kp_leaf2(const rf_kop_block *left, const rf_kop_block *right, float *q, size_t nb, float *l_first,
                     float *l_second)
{
    KOP_BLOCK(left, q, nb, nb, l_first, nb);
    KOP_TANH_HALF(l_first, q + 2 * nb, nb);
    KOP_BLOCK(right, q, nb, nb, l_second, nb);
}

static void kp_decode_batch(const rf_ko_polar_model *mdl, const float *y, size_t nb, float *llr, float *buf)
{
    const rf_kop_block *B = mdl->blocks;
    static const unsigned fl[3] = {RF_KOP_F5_LEFT, RF_KOP_F4_LEFT, RF_KOP_F3_LEFT};
    static const unsigned fr[3] = {RF_KOP_F5_RIGHT, RF_KOP_F4_RIGHT, RF_KOP_F3_RIGHT};
    /* t: 48 rows (32 live + the tanh rows of the first stage), L: 7 rows, q, p: 3 rows each */
    float *t = buf, *L = t + 48 * nb, *q = L + RF_KOP_K * nb, *p = q + 3 * nb;
    /* their order is the reverse: t_j = y_theirs[32 + j] + y_theirs[j] */
    for (size_t f = 0; f < nb; f++) {
        const float *yf = y + f * RF_KOP_N;
        for (unsigned j = 0; j < RF_KOP_N / 2; j++) t[j * nb + f] = yf[RF_KOP_N / 2 - 1 - j] + yf[RF_KOP_N - 1 - j];
    }
    for (unsigned s = 0, len = RF_KOP_N / 2; s < 3; s++, len /= 2) {
        const size_t h = len / 2;
        float *Ls = L + s * nb, *th = t + 2 * h * nb;
        KOP_BLOCK(&B[fl[s]], t, nb, nb, Ls, nb);
        KOP_TANH_HALF(Ls, th, nb);
        for (size_t j = 1; j < h; j++) memcpy(th + j * nb, th, nb * sizeof(float));
        KOP_BLOCK(&B[fr[s]], t, h * nb, h * nb, t, h * nb);
    }
    /* q = f2_left(t) (4 -> 2); L3, L4 */
    KOP_BLOCK(&B[RF_KOP_F2_LEFT], t, nb, nb, q, nb);
    kp_leaf2(&B[RF_KOP_F1_LEFT_LEFT], &B[RF_KOP_F1_LEFT_RIGHT], q, nb, L + 3 * nb, L + 4 * nb);
    /* a-hat = (tanh(L4 / 2), g1_left([sign L4, sign L3])) into t rows 4, 5 (after t rows 0..3) */
    float *ah = t + 4 * nb;
    KOP_TANH_HALF(L + 4 * nb, ah, nb);
    for (size_t f = 0; f < nb; f++) q[f] = kp_sgn(L[4 * nb + f]), q[nb + f] = kp_sgn(L[3 * nb + f]);
    KOP_BLOCK(&B[RF_KOP_G1_LEFT], q, nb, nb, ah + nb, nb);
    /* p_j = f2_right([t_j, t_(2+j), a-hat_j]): 2 nb columns of stride 2 nb */
    KOP_BLOCK(&B[RF_KOP_F2_RIGHT], t, 2 * nb, 2 * nb, p, 2 * nb);
    kp_leaf2(&B[RF_KOP_F1_RIGHT_LEFT], &B[RF_KOP_F1_RIGHT_RIGHT], p, nb, L + 5 * nb, L + 6 * nb);
    for (size_t f = 0; f < nb; f++)
        for (unsigned j = 0; j < RF_KOP_K; j++) llr[f * RF_KOP_K + j] = L[j * nb + f];
}

static void kp_decode(const rf_ko_polar_model *mdl, const float *y, size_t frames, float *llr)
{
    if (frames == 0) return;
    const size_t B = frames < KP_BATCH ? frames : KP_BATCH;
    float *buf = malloc((48 + RF_KOP_K + 6) * B * sizeof(float));
    if (!buf) {
        for (size_t i = 0; i < frames * RF_KOP_K; i++) llr[i] = NAN;
        return;
    }
    for (size_t f0 = 0; f0 < frames; f0 += B) {
        const size_t nb = frames - f0 < B ? frames - f0 : B;
        kp_decode_batch(mdl, y + f0 * RF_KOP_N, nb, llr + f0 * RF_KOP_K, buf);
    }
    free(buf);
}

#endif
