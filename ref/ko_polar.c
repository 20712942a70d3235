/* Reference KO Polar(64,7) encoder and decoder (refast/ko_polar.h), exactly the computation of
 * ko-reference/README.md §8, float32. The blocks have hidden width 64 (above RF_KO_MAX_HIDDEN) and
 * the g blocks an internal skip layer, so they are evaluated here by a plain block evaluator, one
 * vector at a time (their networks act on whole vectors, not coordinatewise). Dense layers sum
 * W[o][i] z_i in the order i = 0, 1, ..., bias added last, like ref/ko_mlp.c.
 *
 * Everything between the reversal at entry and exit works in THEIR position order (their position
 * p = canonical Arikan position 63 - p). */
#include <math.h>
#include <string.h>

#include "refast/ko_polar.h"

#define SELU_LAMBDA 1.0507009873554805f
#define SELU_LAMBDA_ALPHA 1.7580993408473766f /* lambda * alpha */

static float selu(float t)
{
    return t > 0.0f ? SELU_LAMBDA * t : SELU_LAMBDA_ALPHA * expm1f(t);
}

static void dense(const float *w, const float *b, const float *z, unsigned n_in, unsigned n_out, float *y)
{
    for (unsigned o = 0; o < n_out; o++) {
        float s = 0.0f;
        for (unsigned i = 0; i < n_in; i++) s += w[o * n_in + i] * z[i];
        y[o] = b ? s + b[o] : s;
    }
}

void RF_REF(ko_polar_block_f32)(const rf_kop_block *blk, const float *z, float *out)
{
    enum { H = RF_KOP_HIDDEN };
    float a[H], c[H], sk[3 * RF_KOP_N / 2], r[H];
    dense(blk->w[0], blk->b[0], z, blk->in, H, c);
    for (unsigned o = 0; o < H; o++) a[o] = selu(c[o]);
    dense(blk->w[1], blk->b[1], a, H, H, c);
    for (unsigned o = 0; o < H; o++) c[o] = selu(c[o]);
    if (blk->skip) {
        /* g_Full (Polar): the skip sees [z, z[0:h] * z[h:2h]] (the Plotkin product) */
        const unsigned h = blk->in / 2;
        memcpy(sk, z, blk->in * sizeof(float));
        for (unsigned j = 0; j < h; j++) sk[blk->in + j] = z[j] * z[h + j];
        dense(blk->s, NULL, sk, 3 * h, H, r);
        for (unsigned o = 0; o < H; o++) c[o] += r[o];
    }
    dense(blk->w[2], blk->b[2], c, H, H, a);
    for (unsigned o = 0; o < H; o++) a[o] = selu(a[o]);
    dense(blk->w[3], blk->b[3], a, H, blk->out, out);
}

/* One g node: t (length h, its first half) -> (t, g([t, w])) of length 2h, in place. */
static void g_node(const rf_kop_block *g, float *t, const float *w, unsigned h)
{
    float z[RF_KOP_N];
    memcpy(z, t, h * sizeof(float));
    memcpy(z + h, w, h * sizeof(float));
    RF_REF(ko_polar_block_f32)(g, z, t + h);
}

void RF_REF(ko_polar_encode_f32)(const rf_ko_polar_model *mdl, const uint8_t *msg, size_t frames, float *x)
{
    const rf_kop_block *B = mdl->blocks;
    for (size_t f = 0; f < frames; f++) {
        float m[RF_KOP_K], t[RF_KOP_N], a[2], w[RF_KOP_N / 2];
        for (unsigned j = 0; j < RF_KOP_K; j++) m[j] = 1.0f - 2.0f * (float)(msg[f * RF_KOP_K + j] & 1u);
        /* b = (m6, g1_right([m6, m5])), a = (m4, g1_left([m4, m3])), t = (b, g2([b, a])) */
        t[0] = m[6], w[0] = m[5];
        g_node(&B[RF_KOP_G1_RIGHT], t, w, 1);
        a[0] = m[4], w[0] = m[3];
        g_node(&B[RF_KOP_G1_LEFT], a, w, 1);
        g_node(&B[RF_KOP_G2], t, a, 2);
        /* t = (t, g_i([t, m_bit * 1_h])) for (g3, m2), (g4, m1), (g5, m0) */
        static const unsigned gs[3] = {RF_KOP_G3, RF_KOP_G4, RF_KOP_G5};
        for (unsigned s = 0, h = 4; s < 3; s++, h *= 2) {
            for (unsigned j = 0; j < h; j++) w[j] = m[2 - s];
            g_node(&B[gs[s]], t, w, h);
        }
        /* c = (t, t) (the root is a repetition), x = c * 8 / max(||c||, 1e-12) */
        float ss = 0.0f;
        for (unsigned j = 0; j < RF_KOP_N / 2; j++) ss += t[j] * t[j];
        const float nrm = sqrtf(2.0f * ss), scale = 8.0f / (nrm > 1e-12f ? nrm : 1e-12f);
        float *xf = x + f * RF_KOP_N;
        for (unsigned p = 0; p < RF_KOP_N; p++) xf[RF_KOP_N - 1 - p] = t[p % (RF_KOP_N / 2)] * scale;
    }
}

/* torch.sign: 0 at 0 */
static float sgn(float v)
{
    return v > 0.0f ? 1.0f : v < 0.0f ? -1.0f : 0.0f;
}

/* Two-bit leaf: L_first = left(q), L_second = right([q0, q1, tanh(L_first / 2)]). */
static void leaf2(const rf_kop_block *left, const rf_kop_block *right, const float q[2], float *l_first,
                  float *l_second)
{
    float z[3];
    RF_REF(ko_polar_block_f32)(left, q, l_first);
    z[0] = q[0], z[1] = q[1], z[2] = tanhf(*l_first / 2.0f);
    RF_REF(ko_polar_block_f32)(right, z, l_second);
}

void RF_REF(ko_polar_decode_f32)(const rf_ko_polar_model *mdl, const float *y, size_t frames, float *llr)
{
    const rf_kop_block *B = mdl->blocks;
    static const unsigned fl[3] = {RF_KOP_F5_LEFT, RF_KOP_F4_LEFT, RF_KOP_F3_LEFT};
    static const unsigned fr[3] = {RF_KOP_F5_RIGHT, RF_KOP_F4_RIGHT, RF_KOP_F3_RIGHT};
    for (size_t f = 0; f < frames; f++) {
        const float *yf = y + f * RF_KOP_N;
        float *L = llr + f * RF_KOP_K;
        float t[RF_KOP_N / 2], z[3], q[2], ah[2], p[2];
        /* their order is the reverse: t = y_theirs[32:64] + y_theirs[0:32] */
        for (unsigned j = 0; j < RF_KOP_N / 2; j++) t[j] = yf[RF_KOP_N / 2 - 1 - j] + yf[RF_KOP_N - 1 - j];
        for (unsigned s = 0, len = RF_KOP_N / 2; s < 3; s++, len /= 2) {
            RF_REF(ko_polar_block_f32)(&B[fl[s]], t, &L[s]);
            const unsigned h = len / 2;
            z[2] = tanhf(L[s] / 2.0f);
            /* t_j depends on t_j and t_(h+j) only, and j < h, so in place is safe */
            for (unsigned j = 0; j < h; j++) {
                z[0] = t[j], z[1] = t[h + j];
                RF_REF(ko_polar_block_f32)(&B[fr[s]], z, &t[j]);
            }
        }
        RF_REF(ko_polar_block_f32)(&B[RF_KOP_F2_LEFT], t, q);
        leaf2(&B[RF_KOP_F1_LEFT_LEFT], &B[RF_KOP_F1_LEFT_RIGHT], q, &L[3], &L[4]);
        /* a-hat = (tanh(L4 / 2), g1_left([sign L4, sign L3])): the encoder's a from hard signs */
        ah[0] = tanhf(L[4] / 2.0f);
        z[0] = sgn(L[4]), z[1] = sgn(L[3]);
        RF_REF(ko_polar_block_f32)(&B[RF_KOP_G1_LEFT], z, &ah[1]);
        for (unsigned j = 0; j < 2; j++) {
            z[0] = t[j], z[1] = t[2 + j], z[2] = ah[j];
            RF_REF(ko_polar_block_f32)(&B[RF_KOP_F2_RIGHT], z, &p[j]);
        }
        leaf2(&B[RF_KOP_F1_RIGHT_LEFT], &B[RF_KOP_F1_RIGHT_RIGHT], p, &L[5], &L[6]);
    }
}
