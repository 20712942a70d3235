/* Reference gated layers (refast/gated.h, seed 003 §2): the vector 2-MoE of eq. 3 and the GRU
 * forward pass, plain loops, one output at a time.
 *
 * Evaluation order, fixed (ref/ is built with -ffp-contract=off, so no FMA):
 *   every dot product is summed left to right from 0: s = 0; s += a[0] x[0]; s += a[1] x[1] ...;
 *   gru gate z_t[j] = gate(p_z[j] + W_z[j][0] h[0] + ... + W_z[j][H-1] h[H-1]), left to right,
 *     with p = U x_t + b the input projection (its dot product first, then + b), computed for all
 *     T steps before the recurrence;
 *   cho: q = p_h[j] + W_h[j][0] (r[0] h[0]) + ... ;
 *   lbr: q = p_h[j] + r[j] (W_h[j][0] h[0]) + ... + r[j] (W_h[j][H-1] h[H-1]) + r[j] b_hr[j]:
 *     r distributed over the terms of r * (W_h h + b_hr). With a binary r = 1 this is, term for
 *     term, the left-to-right sum of the seed's expert NN-3 (U_h x + b_h + W_h h + b_hr over the
 *     input (x, 1, h, 1)), and with r = 0 it is p_h, NN-2: so the eq.-4 identity holds bit for bit
 *     against the hierarchical 2-MoE built from moe2_f32 (tests/test_gated_identity.c);
 *   h_t[j] = (1 - z) h[j] + z g(q), as written.
 * sigma(v) = 1 / (1 + expf(-v)), tanhf from libm: both well within the header's 8 u.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "refast/gated.h"

static float sigmoid(float v)
{
    return 1.0f / (1.0f + expf(-v));
}

/* 1{v >= 0}; v >= 0 and v < 0 are both false only for NaN, which is returned as is. */
static float binary(float v)
{
    return v >= 0.0f ? 1.0f : v < 0.0f ? 0.0f : v;
}

static float gate(rf_gated_gate kind, float v)
{
    return kind == RF_GATE_BINARY ? binary(v) : sigmoid(v);
}

static float act(rf_gated_g g, float v)
{
    switch (g) {
    case RF_GATED_G_LINEAR: return v;
    case RF_GATED_G_RELU: return v < 0.0f ? 0.0f : v; /* NaN < 0 is false: NaN passes */
    case RF_GATED_G_SIGMOID: return sigmoid(v);
    default: return tanhf(v);
    }
}

static float dot(const float *a, const float *x, size_t n)
{
    float s = 0.0f;
    for (size_t i = 0; i < n; i++) s += a[i] * x[i];
    return s;
}

/* ---- moe2: y = (1 - z) * g(A1 x) + z * g(A2 x), z = gate(W x) ------------------------------ */

void RF_REF(moe2_f32)(const rf_moe2_spec *s, const float *w, const float *x, float *y)
{
    const size_t d = s->d, m = s->m;
    const float *A1 = w, *A2 = w + m * d, *W = w + 2 * m * d;
    for (size_t b = 0; b < s->B; b++) {
        const float *xb = x + b * d;
        for (size_t j = 0; j < m; j++) {
            const float e1 = act(s->g, dot(A1 + j * d, xb, d));
            const float e2 = act(s->g, dot(A2 + j * d, xb, d));
            const float z = gate(s->gate, dot(W + j * d, xb, d));
            y[b * m + j] = (1.0f - z) * e1 + z * e2;
        }
    }
}

/* ---- gru ------------------------------------------------------------------------------------ */

/* One step for every sequence: h (B x H) -> hn (B x H). p: this step's projections, B x 3H
 * (z, r, h parts). zr: 2 x B x H scratch for the gates, rh: B x H scratch for r * h (cho). */
static void gru_step(const rf_gru_spec *s, const float *W, const float *b_hr, const float *p,
                     const float *h, float *hn, float *zr, float *rh)
{
    const size_t B = s->B, H = s->H;
    const float *W_z = W, *W_r = W + H * H, *W_h = W + 2 * H * H;
    for (size_t b = 0; b < B; b++) {
        const float *hb = h + b * H, *pz = p + b * 3 * H, *pr = pz + H, *ph = pz + 2 * H;
        float *z = zr + b * H, *r = zr + (B + b) * H, *rhb = rh + b * H;
        for (size_t j = 0; j < H; j++) {
            float az = pz[j], ar = pr[j];
            for (size_t l = 0; l < H; l++) az += W_z[j * H + l] * hb[l];
            for (size_t l = 0; l < H; l++) ar += W_r[j * H + l] * hb[l];
            z[j] = gate(s->gate, az);
            r[j] = gate(s->gate, ar);
        }
        if (s->variant == RF_GRU_CHO)
            for (size_t l = 0; l < H; l++) rhb[l] = r[l] * hb[l];
        for (size_t j = 0; j < H; j++) {
            float q = ph[j];
            if (s->variant == RF_GRU_CHO) {
                for (size_t l = 0; l < H; l++) q += W_h[j * H + l] * rhb[l];
            } else {
                for (size_t l = 0; l < H; l++) q += r[j] * (W_h[j * H + l] * hb[l]);
                q += r[j] * b_hr[j];
            }
            hn[b * H + j] = (1.0f - z[j]) * hb[j] + z[j] * act(s->g, q);
        }
    }
}

void RF_REF(gru_f32)(const rf_gru_spec *s, const float *w, const float *x, const float *h0,
                     float *out, float *work)
{
    const size_t T = s->T, B = s->B, I = s->In, H = s->H, G = 3 * H;
    const float *U = w, *W = w + G * I, *bias = W + G * H, *b_hr = bias + G;
    float *proj = work;           /* T B x 3H */
    float *zr = proj + T * B * G; /* 2 B H */
    float *rh = zr + 2 * B * H;   /* B H */
    float *st = rh + B * H;       /* 2 B H: the state when only h_T is kept */

    /* Input projections of all T steps: p[t b][k] = U[k] . x_t[b] + bias[k], k < 3H. */
    for (size_t tb = 0; tb < T * B; tb++)
        for (size_t k = 0; k < G; k++) proj[tb * G + k] = dot(U + k * I, x + tb * I, I) + bias[k];

    const float *h = h0;
    if (!h) {
        memset(st, 0, B * H * sizeof *st);
        h = st;
    }
    for (size_t t = 0; t < T; t++) {
        float *hn;
        if (s->output == RF_GRU_OUT_ALL) hn = out + t * B * H;
        else if (t + 1 == T) hn = out;
        else hn = st + ((t + 1) & 1) * B * H; /* never the buffer h points to */
        gru_step(s, W, b_hr, proj + t * B * G, h, hn, zr, rh);
        h = hn;
    }
    if (T == 0 && s->output == RF_GRU_OUT_LAST && B * H > 0) memcpy(out, h, B * H * sizeof *out);
}
