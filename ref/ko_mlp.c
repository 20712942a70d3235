/* Reference KO MLP block (refast/ko_mlp.h, ko-reference/README.md §4): for every coordinate j,
 *   a_0 = (in[0][j], ..., in[in_dim-1][j]),
 *   a_l = selu(W_l a_(l-1) + b_l)        for l = 1 .. hidden_layers,
 *   out[j] = W_L a_L + b_L               (L = hidden_layers + 1, one output),
 * with (W z)_o = sum_i W[o][i] z_i summed in the order i = 0, 1, ..., bias added last, and
 * selu(t) = lambda t for t > 0, lambda alpha (e^t - 1) otherwise (expm1f: accurate near 0).
 * Plain loops, one coordinate at a time; NaN propagates (selu(NaN) = expm1f(NaN) = NaN).
 */
#include <math.h>

#include "refast/ko_mlp.h"

#define SELU_LAMBDA 1.0507009873554805f
#define SELU_LAMBDA_ALPHA 1.7580993408473766f /* lambda * alpha */

static float selu(float t)
{
    return t > 0.0f ? SELU_LAMBDA * t : SELU_LAMBDA_ALPHA * expm1f(t);
}

/* One dense layer: y = W z + b, W rows of length n_in. */
static void dense(const float *w, const float *b, const float *z, unsigned n_in, unsigned n_out,
                  float *y)
{
    for (unsigned o = 0; o < n_out; o++) {
        float s = 0.0f;
        for (unsigned i = 0; i < n_in; i++) s += w[o * n_in + i] * z[i];
        y[o] = s + b[o];
    }
}

void RF_REF(ko_mlp_f32)(const rf_ko_mlp *net, const float *in, size_t count, float *out)
{
    float a[RF_KO_MAX_HIDDEN], z[RF_KO_MAX_HIDDEN];
    const unsigned H = net->hidden, L = net->hidden_layers;
    for (size_t j = 0; j < count; j++) {
        for (unsigned f = 0; f < net->in_dim; f++) a[f] = in[f * count + j];
        unsigned n_in = net->in_dim;
        for (unsigned l = 0; l < L; l++) {
            dense(net->w[l], net->b[l], a, n_in, H, z);
            for (unsigned o = 0; o < H; o++) a[o] = selu(z[o]);
            n_in = H;
        }
        dense(net->w[L], net->b[L], a, H, 1, z);
        out[j] = z[0];
    }
}

void RF_REF(ko_selu_f32)(const float *x, size_t n, float *y)
{
    for (size_t i = 0; i < n; i++) y[i] = selu(x[i]);
}
