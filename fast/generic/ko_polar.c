/* KO Polar(64,7) encoder and decoder at a vector level (mirrors ref/ko_polar.c:
 * ko_polar_encode_f32_ref, ko_polar_decode_f32_ref; README §8 of ko-reference), over the level's
 * ops (fast/<isa>/simd.h), its tile shape (KO_G output units x KO_TV registers, fast/<isa>/tiles.h,
 * the shape of ko_mlp_f32) and the vector SELU / tanh(x/2) of fast/generic/vmath_f32.h (error
 * bounds there).
 *
 * Trick: frames go across the vector lanes. The batched codec of fast/generic/ko_polar_driver.h
 * keeps nb frames as rows of nb floats, so every block of the model is evaluated here (kp_block)
 * for KO_TV * VF_LANES frames at once, every weight one broadcast, no shuffle or horizontal sum:
 * kp_block runs a block over `count` columns whose input feature i sits at in[i * stride + col]
 * (each tile reads its columns before it writes them, so the driver may write over its input).
 * A dense layer of a tile is KO_G x KO_TV independent FMA chains over its inputs, bias first (ref
 * adds it last: a different order of the same sum); the hidden activations (64 x KO_TV
 * registers) stay in a stack array (L1); the g blocks' skip S [z, z[0:h] z[h:2h]] is accumulated
 * onto the second layer's SELU outputs by the same FMA chains. SELU is lambda times
 * vf_selu_scaled (one multiplication, not folded: the skip enters between a SELU and the next
 * layer). Tails: the last columns go through a zero-padded tile buffer. tanh(L/2) is
 * vf_tanh_half over a row.
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

#define KOP_BLOCK(blk, in, stride, count, out, ostride) kp_block(blk, in, stride, count, out, ostride)
#define KOP_TANH_HALF(x, out, n) kp_tanh_half(x, out, n)
#include "ko_polar_driver.h"

void RF_LEVEL_FN(ko_polar_encode_f32)(const rf_ko_polar_model *mdl, const uint8_t *msg, size_t frames, float *x)
{
    kp_encode(mdl, msg, frames, x);
}

void RF_LEVEL_FN(ko_polar_decode_f32)(const rf_ko_polar_model *mdl, const float *y, size_t frames, float *llr)
{
    kp_decode(mdl, y, frames, llr);
}
