/* KO Polar(64,7) encoder and decoder at a vector level (mirrors ref/ko_polar.c:
 * ko_polar_encode_f32_ref, ko_polar_decode_f32_ref; README §8 of ko-reference), over the level's
 * ops (fast/<isa>/simd.h), its tile shape (KO_G output units x KO_TV registers, fast/<isa>/tiles.h,
 * the shape of ko_mlp_f32) and the vector SELU / tanh(x/2) of fast/generic/vmath_f32.h (error
 * bounds there).
 *
 * Trick: frames go across the vector lanes. A batch of nb frames is kept as rows of nb floats
 * (structure of arrays: value j of frame f at row j, column f), so every block of the model -- a
 * whole-vector network in their architecture, not a coordinatewise one -- is evaluated for
 * KO_TV * VF_LANES frames at once with every weight one broadcast and no shuffle or horizontal sum:
 * kp_block runs a block over `count` columns whose input feature i sits at in[i * stride + col].
 * The coordinatewise f_right blocks (t_j, t_(h+j), tanh(L/2)) of a stage see their h positions as
 * h * nb columns: rows 0..h-1 of t are one contiguous row of h nb, rows h..2h-1 the second, and the
 * broadcast tanh(L/2) is written h times into rows 2h..3h-1 (dead by then), so a stage is one
 * block call of stride h nb, written over rows 0..h-1 (each tile reads its columns before it
 * writes them). A dense layer of a tile is KO_G x KO_TV independent FMA chains over its inputs,
 * bias first (ref adds it last: a different order of the same sum); the hidden activations
 * (64 x KO_TV registers) stay in a stack array (L1); the g blocks' skip S [z, z[0:h] z[h:2h]] is
 * accumulated onto the second layer's SELU outputs by the same FMA chains. SELU is lambda times
 * vf_selu_scaled (one multiplication, not folded: the skip enters between a SELU and the next
 * layer). Tails: the last columns go through a zero-padded tile buffer. The per-frame steps (the
 * fold t = y_a + y_b, signs, the root norm, transposes) are scalar loops over rows: O(64) per
 * frame against the ~20k (encoder) / ~330k (decoder) multiply-adds of the blocks.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/ko_polar.h"
#include "simd.h"
#include "tiles.h"
#include "vmath_f32.h"

#define KP_TILE (KO_TV * VF_LANES)
#define KP_H RF_KOP_HIDDEN
#define KP_MAX_IN RF_KOP_N                 /* widest block input (g6; the codec's widest is 32) */
#define KP_MAX_Z (KP_MAX_IN + KP_MAX_IN / 2) /* the input and the skip's product rows */
#define KP_MAX_OUT (RF_KOP_N / 2)
#define KP_BATCH 256u /* frames per batch: the decoder's 48 rows of nb floats stay in L2 */
#define KP_SELU_LAMBDA 1.0507009873554805f

/* A hidden layer of a tile: out[o] = selu(b[o] + sum_i w[o n_in + i] in[i]) for o < 64, plus,
 * when s != NULL, sum_i s[o ns + i] z[i] (the g blocks' skip, added after the SELU). */
AI void kp_hidden(const float *w, const float *b, unsigned n_in, vf (*in)[KO_TV], const float *s, unsigned ns,
                  vf (*z)[KO_TV], vf (*out)[KO_TV])
{
    const vf lambda = vf_set1(KP_SELU_LAMBDA);
    for (unsigned g = 0; g < KP_H; g += KO_G) {
        vf acc[KO_G][KO_TV];
        RF_UNROLL for (int k = 0; k < KO_G; k++)
            RF_UNROLL for (int t = 0; t < KO_TV; t++) acc[k][t] = vf_set1(b[g + (unsigned)k]);
        for (unsigned i = 0; i < n_in; i++) {
            const float *wi = w + (size_t)g * n_in + i;
            RF_UNROLL for (int k = 0; k < KO_G; k++) {
                const vf wk = vf_set1(wi[(size_t)k * n_in]);
                RF_UNROLL for (int t = 0; t < KO_TV; t++) acc[k][t] = vf_fma(wk, in[i][t], acc[k][t]);
            }
        }
        RF_UNROLL for (int k = 0; k < KO_G; k++)
            RF_UNROLL for (int t = 0; t < KO_TV; t++) acc[k][t] = vf_mul(lambda, vf_selu_scaled(acc[k][t]));
        if (s) {
            for (unsigned i = 0; i < ns; i++) {
                const float *si = s + (size_t)g * ns + i;
                RF_UNROLL for (int k = 0; k < KO_G; k++) {
                    const vf sk = vf_set1(si[(size_t)k * ns]);
                    RF_UNROLL for (int t = 0; t < KO_TV; t++) acc[k][t] = vf_fma(sk, z[i][t], acc[k][t]);
                }
            }
        }
        RF_UNROLL for (int k = 0; k < KO_G; k++)
            RF_UNROLL for (int t = 0; t < KO_TV; t++) out[g + (unsigned)k][t] = acc[k][t];
    }
}

/* One tile of KP_TILE columns: feature i at in[i * stride + col], output unit o at
 * out[o * ostride + col]. */
AI void kp_tile(const rf_kop_block *blk, const float *in, size_t stride, float *out, size_t ostride)
{
    vf z[KP_MAX_Z][KO_TV], a[KP_H][KO_TV], c[KP_H][KO_TV];
    const unsigned n_in = blk->in, h = n_in / 2;
    for (unsigned i = 0; i < n_in; i++)
        RF_UNROLL for (int t = 0; t < KO_TV; t++) z[i][t] = vf_loadu(in + i * stride + (size_t)t * VF_LANES);
    if (blk->skip)
        for (unsigned j = 0; j < h; j++)
            RF_UNROLL for (int t = 0; t < KO_TV; t++) z[n_in + j][t] = vf_mul(z[j][t], z[h + j][t]);
    kp_hidden(blk->w[0], blk->b[0], n_in, z, NULL, 0, NULL, a);
    kp_hidden(blk->w[1], blk->b[1], KP_H, a, blk->skip ? blk->s : NULL, 3 * h, z, c);
    kp_hidden(blk->w[2], blk->b[2], KP_H, c, NULL, 0, NULL, a);
    /* output units: KO_G partial sums over the inputs i = k mod KO_G, bias added at the end */
    for (unsigned o = 0; o < blk->out; o++) {
        const float *wo = blk->w[3] + (size_t)o * KP_H;
        vf acc[KO_G][KO_TV];
        RF_UNROLL for (int k = 0; k < KO_G; k++)
            RF_UNROLL for (int t = 0; t < KO_TV; t++) acc[k][t] = vf_zero();
        for (unsigned i = 0; i < KP_H; i += KO_G)
            RF_UNROLL for (int k = 0; k < KO_G; k++) {
                const vf w = vf_set1(wo[i + (unsigned)k]);
                RF_UNROLL for (int t = 0; t < KO_TV; t++) acc[k][t] = vf_fma(w, a[i + (unsigned)k][t], acc[k][t]);
            }
        RF_UNROLL for (int t = 0; t < KO_TV; t++) {
            vf sum = vf_set1(blk->b[3][o]);
            RF_UNROLL for (int k = KO_G - 1; k >= 0; k--) sum = vf_add(acc[k][t], sum);
            vf_storeu(out + o * ostride + (size_t)t * VF_LANES, sum);
        }
    }
}

/* One block over `count` columns (layout of kp_tile). out may be in's first row (in place: a tile
 * loads all its inputs before it stores). */
static void kp_block(const rf_kop_block *blk, const float *in, size_t stride, size_t count, float *out,
                     size_t ostride)
{
    size_t j = 0;
    for (; j + KP_TILE <= count; j += KP_TILE) kp_tile(blk, in + j, stride, out + j, ostride);
    if (j < count) {
        const size_t rest = count - j;
        float tin[KP_MAX_IN * KP_TILE], tout[KP_MAX_OUT * KP_TILE];
        memset(tin, 0, sizeof tin);
        for (unsigned i = 0; i < blk->in; i++) memcpy(tin + i * KP_TILE, in + i * stride + j, rest * sizeof(float));
        kp_tile(blk, tin, KP_TILE, tout, KP_TILE);
        for (unsigned o = 0; o < blk->out; o++) memcpy(out + o * ostride + j, tout + o * KP_TILE, rest * sizeof(float));
    }
}

/* out[j] = tanh(x[j] / 2), n values (in place allowed) */
static void kp_tanh_half(const float *x, float *out, size_t n)
{
    size_t j = 0;
    for (; j + VF_LANES <= n; j += VF_LANES) vf_storeu(out + j, vf_tanh_half(vf_loadu(x + j)));
    if (j < n) vf_storen(out + j, n - j, vf_tanh_half(vf_loadn(x + j, n - j)));
}

/* ---- encoder ---------------------------------------------------------------------------------- */

/* One g node over nb frames: z = rows [t (h rows), w (h rows)] -> t rows h..2h-1. */
static void kp_g_node(const rf_kop_block *g, float *t, float *z, unsigned h, size_t nb)
{
    memcpy(z, t, (size_t)h * nb * sizeof(float));
    kp_block(g, z, nb, nb, t + (size_t)h * nb, nb);
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

void RF_LEVEL_FN(ko_polar_encode_f32)(const rf_ko_polar_model *mdl, const uint8_t *msg, size_t frames, float *x)
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
    kp_block(left, q, nb, nb, l_first, nb);
    kp_tanh_half(l_first, q + 2 * nb, nb);
    kp_block(right, q, nb, nb, l_second, nb);
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
        kp_block(&B[fl[s]], t, nb, nb, Ls, nb);
        kp_tanh_half(Ls, th, nb);
        for (size_t j = 1; j < h; j++) memcpy(th + j * nb, th, nb * sizeof(float));
        kp_block(&B[fr[s]], t, h * nb, h * nb, t, h * nb);
    }
    /* q = f2_left(t) (4 -> 2); L3, L4 */
    kp_block(&B[RF_KOP_F2_LEFT], t, nb, nb, q, nb);
    kp_leaf2(&B[RF_KOP_F1_LEFT_LEFT], &B[RF_KOP_F1_LEFT_RIGHT], q, nb, L + 3 * nb, L + 4 * nb);
    /* a-hat = (tanh(L4 / 2), g1_left([sign L4, sign L3])) into t rows 4, 5 (after t rows 0..3) */
    float *ah = t + 4 * nb;
    kp_tanh_half(L + 4 * nb, ah, nb);
    for (size_t f = 0; f < nb; f++) q[f] = kp_sgn(L[4 * nb + f]), q[nb + f] = kp_sgn(L[3 * nb + f]);
    kp_block(&B[RF_KOP_G1_LEFT], q, nb, nb, ah + nb, nb);
    /* p_j = f2_right([t_j, t_(2+j), a-hat_j]): 2 nb columns of stride 2 nb */
    kp_block(&B[RF_KOP_F2_RIGHT], t, 2 * nb, 2 * nb, p, 2 * nb);
    kp_leaf2(&B[RF_KOP_F1_RIGHT_LEFT], &B[RF_KOP_F1_RIGHT_RIGHT], p, nb, L + 5 * nb, L + 6 * nb);
    for (size_t f = 0; f < nb; f++)
        for (unsigned j = 0; j < RF_KOP_K; j++) llr[f * RF_KOP_K + j] = L[j * nb + f];
}

void RF_LEVEL_FN(ko_polar_decode_f32)(const rf_ko_polar_model *mdl, const float *y, size_t frames, float *llr)
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
