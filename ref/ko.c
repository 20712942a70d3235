/* Reference KO(m,2) encoder and decoder over a batch of frames, exactly as the authors' code
 * computes them (ko-reference/README.md §4; SPEC §5.1 "KO codes"). Float32 throughout (as their
 * run), except the root norm, accumulated in double. Layout and conventions: refast/ko.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/codes.h"
#include "refast/ko.h"
#include "refast/softmap.h"

/* One MLP block per coordinate of a node (refast/ko_mlp.h layout: feature f of coordinate j at
 * in[f * count + j]): the project's reference block, ref/ko_mlp.c. */
static void mlp(const rf_ko_mlp *net, const float *in, size_t count, float *out)
{
    RF_REF(ko_mlp_f32)(net, in, count, out);
}

static const rf_ko_mlp *block(const rf_ko_model *mdl, unsigned node, rf_ko_role role)
{
    return &mdl->blocks[mdl->m - node][role];
}

/* Encoder: leaves in BPSK by the ordinary RM encoder; node (i,2), i = 3..m: c = (u, MLP_g(u, v) +
 * u v) coordinatewise; root normalisation x = c sqrt(n) / max(||c||, 1e-12). */
void RF_REF(ko_encode_f32)(const rf_ko_model *mdl, const uint8_t *msg, size_t frames, float *x)
{
    const unsigned m = mdl->m;
    const size_t n = (size_t)1 << m, k = rf_ko_k(m);
    float *c = malloc(n * sizeof(float)), *in = malloc(n * sizeof(float)), *g = malloc(n * sizeof(float));
    if (!c || !in || !g) {
        for (size_t i = 0; i < frames * n; i++) x[i] = NAN;
        free(c), free(in), free(g);
        return;
    }
    for (size_t f = 0; f < frames; f++) {
        const uint8_t *b = msg + f * k;
        float *xf = x + f * n;
        RF_REF(rm_encode_f32)(2, 2, b, 1, c); /* the RM(2,2) leaf, bits [0,4) */
        for (unsigned i = 3; i <= m; i++) {
            const size_t h = (size_t)1 << (i - 1);
            /* in = [u; v]: u = the child (i-1,2) codeword, v = the leaf RM(i-1,1) in +-1 */
            memcpy(in, c, h * sizeof(float));
            RF_REF(rm_encode_f32)(i - 1, 1, b + rf_ko_k(i - 1), 1, in + h);
            mlp(block(mdl, i, RF_KO_ROLE_G), in, h, g);
            for (size_t j = 0; j < h; j++) c[h + j] = g[j] + in[j] * in[h + j];
        }
        double ss = 0.0;
        for (size_t j = 0; j < n; j++) ss += (double)c[j] * c[j];
        const double norm = fmax(sqrt(ss), 1e-12);
        const float scale = (float)(sqrt((double)n) / norm);
        for (size_t j = 0; j < n; j++) xf[j] = c[j] * scale;
    }
    free(c), free(in), free(g);
}

/* log(1 + e^(a+b)) - log(e^a + e^b), as logsumexp(a+b, 0) - logsumexp(a, b). */
static float lse_pair(float a, float b)
{
    return fmaxf(a, b) + log1pf(expf(-fabsf(a - b)));
}

static float ko_lse(float a, float b)
{
    return lse_pair(a + b, 0.0f) - lse_pair(a, b);
}

/* Soft re-encoding of a leaf RM(mu,1) from its info LLRs L[0..mu]: position p depends on the bits
 * S_p = {0} u {j+1 : bit_j(p) = 1}; Lc_p = prod sign(L_s) * min |L_s| (min-sum), vhat = tanh(Lc/2).
 * Their code quirk: an LLR exactly 0 is left out of the min and counts as positive. */
static void soft_reencode(const float *L, unsigned mu, float *vhat)
{
    const size_t h = (size_t)1 << mu;
    for (size_t p = 0; p < h; p++) {
        float sign = 1.0f, mag = INFINITY;
        for (unsigned s = 0; s <= mu; s++) {
            if (s > 0 && !((p >> (s - 1)) & 1u)) continue;
            if (L[s] == 0.0f) continue;
            if (L[s] < 0.0f) sign = -sign;
            mag = fminf(mag, fabsf(L[s]));
        }
        const float lc = isinf(mag) ? 0.0f : sign * mag;
        vhat[p] = tanhf(lc / 2.0f);
    }
}

/* RM(2,2) generator (message bit t multiplies row t): c = (b0, b0^b1, b0^b2, b0^b1^b2^b3). */
static const uint8_t rm22_gen[16] = {1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1};

/* Decoder, node by node from the root: Lv = MLP_fl(y1, y2) + LSE(y1, y2); the leaf's LLRs by the
 * C.6 max-log Soft-MAP on Lv; vhat by soft re-encoding; yu = MLP_fr(y1, y2, Lv, vhat) + y1 + vhat y2
 * is the next node's y. The RM(2,2) leaf at the bottom: C.6 Soft-MAP by enumeration. */
void RF_REF(ko_decode_f32)(const rf_ko_model *mdl, const float *y, size_t frames, float *llr)
{
    const unsigned m = mdl->m;
    const size_t n = (size_t)1 << m, k = rf_ko_k(m);
    /* feat = [y1; y2; Lv; vhat] (4h floats, h <= n/2), nn = the next feature vector */
    float *feat = malloc(2 * n * sizeof(float)), *mo = malloc(n * sizeof(float));
    if (!feat || !mo) {
        for (size_t i = 0; i < frames * k; i++) llr[i] = NAN;
        free(feat), free(mo);
        return;
    }
    for (size_t f = 0; f < frames; f++) {
        float *out = llr + f * k;
        memcpy(feat, y + f * n, n * sizeof(float));
        for (unsigned i = m; i >= 3; i--) {
            const size_t h = (size_t)1 << (i - 1);
            float *y1 = feat, *y2 = feat + h, *lv = feat + 2 * h, *vh = feat + 3 * h;
            mlp(block(mdl, i, RF_KO_ROLE_FLEFT), feat, h, mo);
            for (size_t j = 0; j < h; j++) lv[j] = mo[j] + ko_lse(y1[j], y2[j]);
            float *leaf = out + rf_ko_k(i - 1); /* the leaf RM(i-1,1)'s i LLRs */
            RF_REF(rm1_softmap_maxlog)(lv, i - 1, 1, leaf);
            soft_reencode(leaf, i - 1, vh);
            mlp(block(mdl, i, RF_KO_ROLE_FRIGHT), feat, h, mo);
            for (size_t j = 0; j < h; j++) mo[j] += y1[j] + vh[j] * y2[j];
            memcpy(feat, mo, h * sizeof(float)); /* yu: the feature vector of node (i-1,2) */
        }
        RF_REF(softmap_enum)(feat, 4, 4, rm22_gen, 1, 1, out);
    }
    free(feat), free(mo);
}

void RF_REF(ko_lse_f32)(const float *a, const float *b, size_t n, float *out)
{
    for (size_t j = 0; j < n; j++) out[j] = ko_lse(a[j], b[j]);
}

void RF_REF(ko_tanh_half_f32)(const float *x, size_t n, float *out)
{
    for (size_t j = 0; j < n; j++) out[j] = tanhf(x[j] / 2.0f);
}
