/* Batched KO(m,2) encoder and decoder (mirrors ref/ko.c: ko_encode_f32_ref, ko_decode_f32_ref),
 * kc_encode and kc_decode, included by fast/generic/ko_codec.c (every vector level) and by
 * peers/ko_codec_blas.c after they define:
 *   KO_CODEC_MLP(net, in, count, out)   the MLP block (refast/ko_mlp.h layout)
 *   KO_CODEC_SOFTMAP(lv, mu, frames, out) rm1_softmap_maxlog of that level
 * and optionally KC_HAVE_VECTOR_STEPS with their own elementwise non-MLP steps (else they are
 * scalar, with the libm formulas of ref/ko.c):
 *   kc_lse_add(a, b, add, out, n)       out[j] = add[j] + LSE(a[j], b[j]),
 *                                       LSE(a, b) = log(1 + e^(a+b)) - log(e^a + e^b)
 *   kc_tanh_half(x, out, n)             out[j] = tanh(x[j] / 2) (in place allowed)
 *
 * Trick: frames are processed in batches of B (B * 2^(m-1) ~ KC_COORDS coordinates at the root),
 * and every block call covers one node of all B frames at once: the SoA rows of refast/ko_mlp.h are
 * laid out frame after frame (feature f of coordinate j of frame b at row f, column b h + j), so
 * even the bottom node (h = 4) gives the MLP 4B coordinates, enough to fill its tiles and amortise
 * its per-call weight packing. That same row layout is frame-major for the per-frame steps: the Lv
 * row is exactly the `frames x 2^mu` input of rm1_softmap_maxlog over the B frames, and the yu of a
 * node (frame-major, h per frame) is re-split into the next node's y1/y2 rows by two copies of h/2
 * per frame. The min-sum soft re-encoding is built by doubling over the leaf's info bits (position
 * p + 2^j takes p's magnitude min'd with |L_(j+1)|, sign multiplied) -- O(h) per frame and exact
 * (min and sign products do not round): of the re-encoding, only the tanh rounds unlike ref. Results per coordinate do not
 * depend on B (the MLP works lane by lane).
 */
#ifndef REFAST_FAST_KO_CODEC_DRIVER_H
#define REFAST_FAST_KO_CODEC_DRIVER_H

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "refast/ko.h"
#include "refast/softmap.h"

#define KC_COORDS 16384u /* root-node coordinates per batch */
#define KC_MIN_BATCH 32u

static size_t kc_batch(unsigned m, size_t frames)
{
    size_t b = KC_COORDS >> (m - 1u);
    if (b < KC_MIN_BATCH) b = KC_MIN_BATCH;
    return b < frames ? b : frames;
}

static const rf_ko_mlp *kc_block(const rf_ko_model *mdl, unsigned node, rf_ko_role role)
{
    return &mdl->blocks[mdl->m - node][role];
}

/* ---- elementwise steps ------------------------------------------------------------------------ */

#ifndef KC_HAVE_VECTOR_STEPS
/* The scalar steps, the formulas of ref/ko.c. */
static float kc_lse_pair(float a, float b)
{
    return fmaxf(a, b) + log1pf(expf(-fabsf(a - b)));
}

static void kc_lse_add(const float *a, const float *b, const float *add, float *out, size_t n)
{
    for (size_t j = 0; j < n; j++) out[j] = add[j] + (kc_lse_pair(a[j] + b[j], 0.0f) - kc_lse_pair(a[j], b[j]));
}

static void kc_tanh_half(const float *x, float *out, size_t n)
{
    for (size_t j = 0; j < n; j++) out[j] = tanhf(x[j] / 2.0f);
}
#endif

/* ---- encoder ---------------------------------------------------------------------------------- */

/* The BPSK RM(mu,1) codeword of info bits b0..b_mu (canonical order: c_p = b0 ^ <bits of p, b1..>),
 * by doubling: the second half of the first 2^(j+1) symbols is the first half times (-1)^b_(j+1). */
static void kc_rm1_bpsk(const uint8_t *bits, unsigned mu, float *v)
{
    v[0] = (bits[0] & 1u) ? -1.0f : 1.0f;
    for (unsigned j = 0; j < mu; j++) {
        const size_t w = (size_t)1 << j;
        const float s = (bits[j + 1] & 1u) ? -1.0f : 1.0f;
        for (size_t p = 0; p < w; p++) v[w + p] = s * v[p];
    }
}

/* ||c||^2 in double (as ref), 8 partial sums (n >= 8) so that the adds do not form one chain */
static double kc_sumsq(const float *c, size_t n)
{
    double acc[8] = {0};
    for (size_t j = 0; j < n; j += 8)
        for (unsigned t = 0; t < 8; t++) acc[t] += (double)c[j + t] * c[j + t];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

static void kc_encode(const rf_ko_model *mdl, const uint8_t *msg, size_t frames, float *x)
{
    const unsigned m = mdl->m;
    const size_t n = (size_t)1 << m, k = rf_ko_k(m);
    if (frames == 0) return;
    const size_t B = kc_batch(m, frames);
    /* two [u; v] feature buffers (B n floats each: rows of B h, h <= n/2) and the g output */
    float *buf = malloc(3 * B * n * sizeof(float));
    if (!buf) {
        for (size_t i = 0; i < frames * n; i++) x[i] = NAN;
        return;
    }
    float *fa = buf, *fb = buf + B * n, *g = buf + 2 * B * n;
    for (size_t f0 = 0; f0 < frames; f0 += B) {
        const size_t nb = frames - f0 < B ? frames - f0 : B;
        float *cur = fa, *nxt = fb;
        /* node (3,2): u = the RM(2,2) leaf codeword, c_p = b0 ^ p0 b1 ^ p1 b2 ^ p0 p1 b3 */
        for (size_t b = 0; b < nb; b++) {
            const uint8_t *bits = msg + (f0 + b) * k;
            for (unsigned p = 0; p < 4; p++) {
                const unsigned c = (bits[0] ^ ((p & 1u) & bits[1]) ^ ((p >> 1) & bits[2]) ^ ((p == 3u) & bits[3])) & 1u;
                cur[b * 4 + p] = c ? -1.0f : 1.0f;
            }
        }
        for (unsigned i = 3; i <= m; i++) {
            const size_t h = (size_t)1 << (i - 1), cnt = nb * h;
            const float *u = cur;
            float *v = cur + cnt;
            for (size_t b = 0; b < nb; b++) kc_rm1_bpsk(msg + (f0 + b) * k + rf_ko_k(i - 1), i - 1, v + b * h);
            KO_CODEC_MLP(kc_block(mdl, i, RF_KO_ROLE_G), cur, cnt, g);
            /* c = (u, g + u v) per frame: frame-major, the next node's u row (or the output) */
            float *c = i < m ? nxt : x + f0 * n;
            for (size_t b = 0; b < nb; b++) {
                float *cb = c + b * 2 * h;
                const float *ub = u + b * h, *vb = v + b * h, *gb = g + b * h;
                memcpy(cb, ub, h * sizeof(float));
                for (size_t j = 0; j < h; j++) cb[h + j] = gb[j] + ub[j] * vb[j];
            }
            float *t = cur;
            cur = nxt, nxt = t;
        }
        for (size_t b = 0; b < nb; b++) {
            float *xf = x + (f0 + b) * n;
            const double norm = fmax(sqrt(kc_sumsq(xf, n)), 1e-12);
            const float scale = (float)(sqrt((double)n) / norm);
            for (size_t j = 0; j < n; j++) xf[j] *= scale;
        }
    }
    free(buf);
}

/* ---- decoder ---------------------------------------------------------------------------------- */

/* Min-sum soft re-encoding of one leaf RM(mu,1) (before the tanh): lc[p] = prod sign(L_s) min |L_s|
 * over S_p = {0} u {j+1 : bit_j(p)}; an LLR exactly 0 is skipped (ref/ko.c's quirk), and so is a
 * NaN (ref's fminf ignores it; its sign test is false); an empty min gives 0. sg: scratch of 2^mu
 * floats. */
static void kc_minsum(const float *L, unsigned mu, float *lc, float *sg)
{
    const bool skip0 = L[0] == 0.0f || isnan(L[0]);
    lc[0] = skip0 ? INFINITY : fabsf(L[0]);
    sg[0] = L[0] < 0.0f ? -1.0f : 1.0f;
    for (unsigned j = 0; j < mu; j++) {
        const float l = L[j + 1];
        const size_t w = (size_t)1 << j;
        if (l == 0.0f || isnan(l)) {
            memcpy(lc + w, lc, w * sizeof(float));
            memcpy(sg + w, sg, w * sizeof(float));
            continue;
        }
        const float a = fabsf(l), s = l < 0.0f ? -1.0f : 1.0f;
        for (size_t p = 0; p < w; p++) {
            lc[w + p] = a < lc[p] ? a : lc[p]; /* no NaN here: fminf without the libm call */
            sg[w + p] = sg[p] * s;
        }
    }
    const size_t h = (size_t)1 << mu;
    for (size_t p = 0; p < h; p++) lc[p] = isinf(lc[p]) ? 0.0f : sg[p] * lc[p];
}

/* The RM(2,2) leaf's Soft-MAP (ref/ko.c: softmap_enum_ref, C.6 max-log form) on one frame's
 * yu[0..4): the 16 correlations <yu, s(c)> with s_p = (-1)^c_p, c = (b0, b0^b1, b0^b2,
 * b0^b1^b2^b3) (message b = t, bit i of t is b_i), then L(b_i) = max_{b_i = 0} - max_{b_i = 1}.
 * Like softmap_enum: a non-finite correlation makes the frame's 4 outputs NaN. */
static void kc_rm22_softmap(const float *yu, float *out)
{
    float cor[16];
    bool finite = true;
    for (unsigned t = 0; t < 16; t++) {
        const unsigned b0 = t & 1u, b1 = (t >> 1) & 1u, b2 = (t >> 2) & 1u, b3 = (t >> 3) & 1u;
        const float c = yu[0] + (b1 ? -yu[1] : yu[1]) + (b2 ? -yu[2] : yu[2]) + ((b1 ^ b2 ^ b3) ? -yu[3] : yu[3]);
        cor[t] = b0 ? -c : c;
        finite = finite && isfinite(cor[t]);
    }
    for (unsigned i = 0; i < 4; i++) {
        float m0 = -INFINITY, m1 = -INFINITY;
        for (unsigned t = 0; t < 16; t++) {
            if ((t >> i) & 1u) m1 = cor[t] > m1 ? cor[t] : m1;
            else m0 = cor[t] > m0 ? cor[t] : m0;
        }
        out[i] = finite ? m0 - m1 : NAN;
    }
}

static void kc_decode(const rf_ko_model *mdl, const float *y, size_t frames, float *llr)
{
    const unsigned m = mdl->m;
    const size_t n = (size_t)1 << m, k = rf_ko_k(m);
    if (frames == 0) return;
    const size_t B = kc_batch(m, frames), hr = n / 2;
    /* feat = rows [y1; y2; Lv; vhat] of B h (h <= n/2); mo = block output / yu; sg = sign scratch;
     * leaf = the softmap outputs (B x (mu+1) <= B m) */
    float *buf = malloc((4 * B * hr + B * hr + hr + B * m) * sizeof(float));
    if (!buf) {
        for (size_t i = 0; i < frames * k; i++) llr[i] = NAN;
        return;
    }
    float *feat = buf, *mo = feat + 4 * B * hr, *sg = mo + B * hr, *leaf = sg + hr;
    for (size_t f0 = 0; f0 < frames; f0 += B) {
        const size_t nb = frames - f0 < B ? frames - f0 : B;
        for (size_t b = 0; b < nb; b++) {
            memcpy(feat + b * hr, y + (f0 + b) * n, hr * sizeof(float));
            memcpy(feat + nb * hr + b * hr, y + (f0 + b) * n + hr, hr * sizeof(float));
        }
        for (unsigned i = m; i >= 3; i--) {
            const unsigned mu = i - 1;
            const size_t h = (size_t)1 << mu, cnt = nb * h;
            float *y1 = feat, *y2 = feat + cnt, *lv = feat + 2 * cnt, *vh = feat + 3 * cnt;
            KO_CODEC_MLP(kc_block(mdl, i, RF_KO_ROLE_FLEFT), feat, cnt, mo);
            kc_lse_add(y1, y2, mo, lv, cnt);
            KO_CODEC_SOFTMAP(lv, mu, nb, leaf);
            for (size_t b = 0; b < nb; b++) {
                memcpy(llr + (f0 + b) * k + rf_ko_k(mu), leaf + b * (mu + 1), (mu + 1) * sizeof(float));
                kc_minsum(leaf + b * (mu + 1), mu, vh + b * h, sg);
            }
            kc_tanh_half(vh, vh, cnt);
            KO_CODEC_MLP(kc_block(mdl, i, RF_KO_ROLE_FRIGHT), feat, cnt, mo);
            for (size_t j = 0; j < cnt; j++) mo[j] += y1[j] + vh[j] * y2[j];
            if (i > 3) { /* yu (frame-major) -> the next node's y1 / y2 rows */
                const size_t h2 = h / 2, cnt2 = nb * h2;
                for (size_t b = 0; b < nb; b++) {
                    memcpy(feat + b * h2, mo + b * h, h2 * sizeof(float));
                    memcpy(feat + cnt2 + b * h2, mo + b * h + h2, h2 * sizeof(float));
                }
            }
        }
        /* the RM(2,2) leaf on yu of node (3,2): nb x 4, frame-major */
        for (size_t b = 0; b < nb; b++) kc_rm22_softmap(mo + b * 4, llr + (f0 + b) * k);
    }
    free(buf);
}

#endif
