/* KO MLP block at a vector level (mirrors ref/ko_mlp.c: ko_mlp_f32_ref), over the level's ops
 * (fast/<isa>/simd.h, KO_VL = VF_LANES coordinates per register), its tile shape (KO_G output units
 * per register group x KO_TV registers of coordinates, fast/<isa>/tiles.h) and the vector SELU
 * vf_selu_scaled of fast/generic/vmath_f32.h (selu(v) / lambda; error bound there), lambda folded
 * into the weights of the next layer. ko_selu_f32 exports lambda vf_selu_scaled(x) for tests (one
 * more rounding than inside the MLP, where lambda sits in the weights).
 *
 * Trick: coordinates go across the vector lanes (the structure-of-arrays layout of
 * refast/ko_mlp.h), so every weight is one broadcast shared by KO_TV * KO_VL coordinates and a
 * dense layer is KO_G x KO_TV independent FMA chains over the inputs -- no shuffles, no horizontal
 * sums. The weights are first copied row by row into rows of fixed stride RF_KO_MAX_HIDDEN
 * (pw[o * 32 + i]; HP = hidden rounded up to KO_G rows, padded rows zero), so that the KO_G
 * broadcasts of a group sit at constant offsets k * 128 bytes from one pointer and the copy is
 * contiguous (vectorised): cheap enough to redo on every call. A tile's hidden
 * activations (32 units x KO_TV vectors) live in a small stack array (L1), the accumulators of a
 * group in registers. SELU's factor lambda is folded into the packed weights of every layer that
 * reads SELU outputs (lambda w rounded once: one more rounding per product, inside the tolerance
 * derivation of kernels/registry/ko.c), so the vector SELU has no multiplication on either
 * branch. Padded units are computed but never read (the next layer loops over the real inputs
 * only), so a NaN/inf in a real unit cannot leak through 0 * inf into another.
 * The output unit sums with KO_G partial accumulators (breaks the FMA latency chain).
 * Tail (count not a multiple of the tile): the last coordinates are copied into a zero-padded
 * tile buffer, computed like a full tile and copied back. Any alignment: unaligned loads/stores.
 */
#include <string.h>

#include "refast/ko_mlp.h"
#include "simd.h"
#include "tiles.h"
#include "vmath_f32.h"

#define KO_VL VF_LANES

#define KO_TILE (KO_TV * KO_VL)
#define KO_SELU_LAMBDA 1.0507009873554805f
#define KO_HP_MAX (((RF_KO_MAX_HIDDEN + KO_G - 1) / KO_G) * KO_G)

typedef struct ko_packed {
    unsigned in_dim, hidden, hp, layers; /* layers = hidden_layers */
    float pw[RF_KO_MAX_LAYERS - 1][KO_HP_MAX * RF_KO_MAX_HIDDEN]; /* row o at o * 32, padded */
    float pb[RF_KO_MAX_LAYERS - 1][KO_HP_MAX];
    float wout[RF_KO_MAX_HIDDEN];
    float bout;
} ko_packed;

static void ko_pack(const rf_ko_mlp *net, ko_packed *p)
{
    const unsigned H = net->hidden;
    p->in_dim = net->in_dim;
    p->hidden = H;
    p->hp = ((H + KO_G - 1) / KO_G) * KO_G;
    p->layers = net->hidden_layers;
    unsigned n_in = net->in_dim;
    for (unsigned l = 0; l < p->layers; l++) {
        const float scale = l == 0 ? 1.0f : KO_SELU_LAMBDA;
        if (p->hp != H) { /* padded rows: zero (computed, never read) */
            memset(p->pw[l], 0, sizeof p->pw[l]);
            memset(p->pb[l], 0, sizeof p->pb[l]);
        }
        for (unsigned o = 0; o < H; o++) {
            for (unsigned i = 0; i < n_in; i++)
                p->pw[l][o * RF_KO_MAX_HIDDEN + i] = scale * net->w[l][o * n_in + i];
            p->pb[l][o] = net->b[l][o];
        }
        n_in = H;
    }
    for (unsigned i = 0; i < H; i++) p->wout[i] = KO_SELU_LAMBDA * net->w[p->layers][i];
    p->bout = net->b[p->layers][0];
}

/* One tile: KO_TILE coordinates, feature f at in[f * stride + t]; out[t]. */
AI void ko_tile(const ko_packed *p, const float *in, size_t stride, float *out)
{
    vf h[2][KO_HP_MAX][KO_TV];
    unsigned cur = 0, n_in = p->in_dim;
    for (unsigned f = 0; f < n_in; f++)
        RF_UNROLL for (int t = 0; t < KO_TV; t++) h[0][f][t] = vf_loadu(in + f * stride + (size_t)t * KO_VL);
    for (unsigned l = 0; l < p->layers; l++) {
        const float *pw = p->pw[l], *pb = p->pb[l];
        for (unsigned g = 0; g < p->hp; g += KO_G) {
            vf acc[KO_G][KO_TV];
            RF_UNROLL for (int k = 0; k < KO_G; k++)
                RF_UNROLL for (int t = 0; t < KO_TV; t++) acc[k][t] = vf_set1(pb[g + (unsigned)k]);
            for (unsigned i = 0; i < n_in; i++) {
                vf x[KO_TV];
                RF_UNROLL for (int t = 0; t < KO_TV; t++) x[t] = h[cur][i][t];
                const float *wi = pw + g * RF_KO_MAX_HIDDEN + i;
                RF_UNROLL for (int k = 0; k < KO_G; k++) {
                    const vf w = vf_set1(wi[k * RF_KO_MAX_HIDDEN]);
                    RF_UNROLL for (int t = 0; t < KO_TV; t++) acc[k][t] = vf_fma(w, x[t], acc[k][t]);
                }
            }
            RF_UNROLL for (int k = 0; k < KO_G; k++)
                RF_UNROLL for (int t = 0; t < KO_TV; t++) h[cur ^ 1][g + (unsigned)k][t] = vf_selu_scaled(acc[k][t]);
        }
        cur ^= 1;
        n_in = p->hidden;
    }
    /* Output unit: KO_G partial sums over the inputs i = k mod KO_G, bias added at the end. */
    vf acc[KO_G][KO_TV];
    RF_UNROLL for (int k = 0; k < KO_G; k++)
        RF_UNROLL for (int t = 0; t < KO_TV; t++) acc[k][t] = vf_set1(0.0f);
    unsigned i = 0;
    for (; i + KO_G <= n_in; i += KO_G)
        RF_UNROLL for (int k = 0; k < KO_G; k++) {
            const vf w = vf_set1(p->wout[i + (unsigned)k]);
            RF_UNROLL for (int t = 0; t < KO_TV; t++) acc[k][t] = vf_fma(w, h[cur][i + (unsigned)k][t], acc[k][t]);
        }
    for (; i < n_in; i++) {
        const vf w = vf_set1(p->wout[i]);
        RF_UNROLL for (int t = 0; t < KO_TV; t++) acc[0][t] = vf_fma(w, h[cur][i][t], acc[0][t]);
    }
    RF_UNROLL for (int t = 0; t < KO_TV; t++) {
        vf s = vf_set1(p->bout);
        RF_UNROLL for (int k = KO_G - 1; k >= 0; k--) s = vf_add(acc[k][t], s);
        vf_storeu(out + (size_t)t * KO_VL, s);
    }
}

void RF_LEVEL_FN(ko_mlp_f32)(const rf_ko_mlp *net, const float *in, size_t count, float *out)
{
    if (count == 0) return;
    ko_packed p;
    ko_pack(net, &p);
    size_t j = 0;
    for (; j + KO_TILE <= count; j += KO_TILE) ko_tile(&p, in + j, count, out + j);
    if (j < count) {
        const size_t rest = count - j;
        float tin[RF_KO_MAX_IN * KO_TILE], tout[KO_TILE];
        memset(tin, 0, sizeof tin);
        for (unsigned f = 0; f < p.in_dim; f++) memcpy(tin + f * KO_TILE, in + f * count + j, rest * sizeof(float));
        ko_tile(&p, tin, KO_TILE, tout);
        memcpy(out + j, tout, rest * sizeof(float));
    }
}

void RF_LEVEL_FN(ko_selu_f32)(const float *x, size_t n, float *y)
{
    const vf lambda = vf_set1(KO_SELU_LAMBDA);
    size_t i = 0;
    for (; i + KO_VL <= n; i += KO_VL) vf_storeu(y + i, vf_mul(lambda, vf_selu_scaled(vf_loadu(x + i))));
    if (i < n) vf_storen(y + i, n - i, vf_mul(lambda, vf_selu_scaled(vf_loadn(x + i, n - i))));
}
