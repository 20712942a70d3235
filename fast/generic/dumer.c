/* Dumer's recursive decoder at a vector level (mirrors ref/dumer.c: rm_dumer_ref and
 * rm_dumer_soft_ref, the same recursion on the same layout), over the level's ops
 * (fast/<isa>/simd.h, LANES = VF_LANES floats).
 *
 * Everything except the exact f is bit-identical to ref (same operations, same order); min-sum
 * decoding is therefore bit-identical to ref.
 * The exact f: s + log1p(e^-|a+b|) - log1p(e^-|a-b|) = s + log1p(d), d = (p - q) / (1 + q),
 * p = e^-|a+b|, q = e^-|a-b| (two exps, one division, one log instead of ref's two exps and two
 * log1ps), with e^-x by vf_exp_nonpos (arguments below -87 give e^-87, absolute error < 2e-38) and
 * log1p(d), d in [-1/2, 1], by vf_log1p_half (fast/generic/vmath_f32.h).
 * f has max error 2.84 u of max(1, |f|) (u = 2^-24) against long double over 2^22 (a, b) pairs
 * (|a|, |b| <= 60, near-equal pairs, tiny a), measured at every level; ref's libm f shows 2.76 u
 * on the same set: a few u absolute per f, inside the `+ n` part of the decision scale
 * (kernels/registry/dumer.c). Results are judged by the decision class against the oracle.
 *
 * Codewords are kept as sign-bit masks (0 or 0x80000000 per coordinate), so (-1)^v L2 is one XOR
 * and (u, u^v) is one XOR. Two layouts run the same recursion:
 * - Frames in lanes (LANES frames at a time, m <= DUMER_LANE_MAX_M): coordinate i of LANES
 *   frames is one register (a register transpose brings them in, lanes_layout.h), so every node, down to n = 1,
 *   works on whole registers with no padded tails. The RM(m,1) leaf is an FHT whose butterflies
 *   are register adds in ref's stage order, then a lane-wise running argmax (ref's "first
 *   strict >") or, soft, ref's running extremes; the full-rate leaf is a register XOR transform
 *   (soft: ref's min recursion). Per lane this is ref's arithmetic in ref's order, so everything
 *   but the exact f is bit-identical to ref, and the exact f is the level's vexact per element,
 *   i.e. the same values as in the per-frame layout.
 * - One frame at a time (the frames left over, and m > DUMER_LANE_MAX_M, where LANES frames no
 *   longer fit in L2): each node's n/2 coordinates run on whole registers, nodes narrower than a
 *   register through one padded register, RM(m,1) leaves call the level's rm1_map /
 *   rm1_softmap_maxlog.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "refast/codes.h"
#include "refast/decoders.h"
#include "refast/softmap.h"
#include "lanes_layout.h"
#include "simd.h"
#include "vmath_f32.h"

#define LANES VF_LANES

#define SIGN 0x80000000u
#define DUMER_MAX_M 16
#define DUMER_LANE_MAX_M 10

/* Codeword masks (0 or SIGN per coordinate) travel in float registers, so that (-1)^v L is one XOR. */
AI vf vldm(const uint32_t *p) { return vi_as_vf(vi_loadu(p)); }
AI void vstm(uint32_t *p, vf x) { vi_storeu(p, vf_as_vi(x)); }
AI vf vsplatm(uint32_t x) { return vi_as_vf(vi_set1(x)); }
/* SIGN in the lanes where x < 0 (a compare: -0 is not). */
AI vf vltz(vf x) { return vf_maskz(vf_lt(x, vf_zero()), vsplatm(SIGN)); }
/* x > y ? a : b per lane (ordered). */
AI vf vsel_gt(vf x, vf y, vf a, vf b) { return vf_select(vf_gt(x, y), a, b); }

/* The lane-wise running argmax of the RM(m,1) leaf: ref's first strict > (ordered). */
AI void vbest(vf x, vf i, vf *ba, vf *bw, vf *bi)
{
    const mf gt = vf_gt(vf_abs(x), *ba);
    *ba = vf_select(gt, vf_abs(x), *ba);
    *bw = vf_select(gt, x, *bw);
    *bi = vf_select(gt, i, *bi);
}

/* NaN -> 0, then clamp to +-2^100 (the NaN is cleared first: NEON's min/max would keep it). */
AI vf vsanitize(vf x)
{
    x = vf_maskz(vf_eq(x, x), x);
    x = vf_min(x, vf_set1(0x1p100f));
    return vf_max(x, vf_set1(-0x1p100f));
}

/* sign(a) sign(b) min(|a|,|b|): the XOR of the sign bits on the minimum magnitude (inputs are
 * sanitized: no NaN). */
AI vf vminsum(vf a, vf b)
{
    const vf sgn = vf_and(vf_xor(a, b), vsplatm(SIGN));
    return vf_or(vf_min(vf_abs(a), vf_abs(b)), sgn);
}

/* The exact f: s + log1p(e^-|a+b|) - log1p(e^-|a-b|) = s + log1p(d), d = (p - q) / (1 + q),
 * p = e^-|a+b|, q = e^-|a-b|: two exps, one log. */
AI vf vexact(vf a, vf b)
{
    const vf s = vminsum(a, b);
    const vf p = vf_exp_nonpos(vf_neg(vf_abs(vf_add(a, b))));
    const vf q = vf_exp_nonpos(vf_neg(vf_abs(vf_sub(a, b))));
    const vf d = vf_div(vf_sub(p, q), vf_add(vf_set1(1.0f), q));
    return vf_add(s, vf_log1p_half(d));
}

static float sanitize_scalar(float x)
{
    if (isnan(x)) return 0.0f;
    return x > 0x1p100f ? 0x1p100f : x < -0x1p100f ? -0x1p100f : x;
}

static void sanitize(const float *in, float *out, size_t n)
{
    size_t i = 0;
    for (; i + LANES <= n; i += LANES) vf_storeu(out + i, vsanitize(vf_loadu(in + i)));
    for (; i < n; i++) out[i] = sanitize_scalar(in[i]);
}

/* o = f(a, b) elementwise (o may not alias a or b). */
static void comb(const float *a, const float *b, float *o, size_t h, int f)
{
    size_t i = 0;
    if (f == RF_F_MINSUM)
        for (; i + LANES <= h; i += LANES) vf_storeu(o + i, vminsum(vf_loadu(a + i), vf_loadu(b + i)));
    else
        for (; i + LANES <= h; i += LANES) vf_storeu(o + i, vexact(vf_loadu(a + i), vf_loadu(b + i)));
    if (i < h) { /* the tail through one padded register: scalar libm f's cost 20-40 ns each */
        float ta[LANES], tb[LANES], to[LANES];
        for (size_t t = 0; t < LANES; t++) {
            ta[t] = i + t < h ? a[i + t] : 1.0f;
            tb[t] = i + t < h ? b[i + t] : 1.0f;
        }
        vf_storeu(to, f == RF_F_MINSUM ? vminsum(vf_loadu(ta), vf_loadu(tb)) : vexact(vf_loadu(ta), vf_loadu(tb)));
        memcpy(o + i, to, (h - i) * sizeof *o);
    }
}

/* o = a + (b with its sign flipped where cw has the sign bit): Lu = L1 + (-1)^v L2. */
static void gsum(const float *a, const float *b, const uint32_t *cw, float *o, size_t h)
{
    size_t i = 0;
    for (; i + LANES <= h; i += LANES) vf_storeu(o + i, vf_add(vf_loadu(a + i), vf_xor(vf_loadu(b + i), vldm(cw + i))));
    for (; i < h; i++) o[i] = a[i] + (cw[i] ? -b[i] : b[i]);
}

/* o = a + b elementwise (o may be a). */
static void add_halves(const float *a, const float *b, float *o, size_t h)
{
    size_t i = 0;
    for (; i + LANES <= h; i += LANES) vf_storeu(o + i, vf_add(vf_loadu(a + i), vf_loadu(b + i)));
    for (; i < h; i++) o[i] = a[i] + b[i];
}

/* dst = src ^ x (codeword masks), len words. */
static void xor_copy(const uint32_t *src, uint32_t *dst, size_t len, uint32_t x)
{
    size_t i = 0;
    const vf vx = vsplatm(x);
    for (; i + LANES <= len; i += LANES) vstm(dst + i, vf_xor(vldm(src + i), vx));
    for (; i < len; i++) dst[i] = src[i] ^ x;
}

/* dst ^= src, len words. */
static void xor_into(uint32_t *dst, const uint32_t *src, size_t len)
{
    size_t i = 0;
    for (; i + LANES <= len; i += LANES) vstm(dst + i, vf_xor(vldm(dst + i), vldm(src + i)));
    for (; i < len; i++) dst[i] ^= src[i];
}

/* The repetition sum of n blocks of `lanes` floats in ref's fold order (bit-identical to ref); the
 * sum lands in L[0..lanes) or t[0..lanes), whichever is returned. */
static const float *fold_sum(const float *L, size_t n, size_t lanes, float *t)
{
    if (n == 1) return L;
    add_halves(L, L + n / 2 * lanes, t, n / 2 * lanes);
    for (size_t h = n / 4; h >= 1; h /= 2) add_halves(t, t + h * lanes, t, h * lanes);
    return t;
}

/* The full-rate transform (c = (u, u^v) level by level): maps message bits to the codeword and,
 * being an involution over GF(2), the codeword back to the bits. */
static void full_transform(uint8_t *c, size_t n)
{
    for (size_t h = n / 2; h >= 1; h /= 2)
        for (size_t b = 0; b < n; b += 2 * h)
            for (size_t i = 0; i < h; i++) c[b + h + i] ^= c[b + i];
}

/* ---- frames in lanes ------------------------------------------------------------------------- */

/* Vector j of an array in the lane layout. */
#define VJ(p, j) ((p) + (size_t)(j) * LANES)

/* The RM(m,1) leaf on LANES frames, FHT in ref's stage order, then per lane either ref's rm1_map
 * (the first strict maximum of |W|) or, if soft, ref's rm1_softmap_maxlog (strict > / < running
 * extremes, so even the zero signs match) and bits [LLR < 0]; then the codeword by doubling.
 * w: n registers of scratch. */
static void lanes_rm1(const float *L, unsigned m, uint32_t *bits, float *soft, uint32_t *cw, float *w)
{
    const size_t n = (size_t)1 << m;
    memcpy(w, L, n * LANES * sizeof *w);
    for (size_t h = 1; h < n; h <<= 1)
        for (size_t i = 0; i < n; i += 2 * h)
            for (size_t j = i; j < i + h; j++) {
                const vf a = vf_loadu(VJ(w, j)), b = vf_loadu(VJ(w, j + h));
                vf_storeu(VJ(w, j), vf_add(a, b));
                vf_storeu(VJ(w, j + h), vf_sub(a, b));
            }
    if (soft) {
        vf hi = vf_loadu(w), lo = hi;
        for (size_t a = 1; a < n; a++) {
            const vf x = vf_loadu(VJ(w, a));
            hi = vsel_gt(x, hi, x, hi);
            lo = vsel_gt(lo, x, x, lo);
        }
        vf_storeu(soft, vf_sub(hi, vf_xor(lo, vsplatm(SIGN))));
        for (unsigned j = 0; j < m; j++) {
            vf best0 = vf_set1(0.0f), best1 = vf_set1(0.0f);
            for (size_t a = 0; a < n; a++) {
                const vf x = vf_abs(vf_loadu(VJ(w, a)));
                if ((a >> j) & 1) best1 = vsel_gt(x, best1, x, best1);
                else best0 = vsel_gt(x, best0, x, best0);
            }
            vf_storeu(VJ(soft, j + 1), vf_sub(best0, best1));
        }
        for (unsigned j = 0; j <= m; j++) vstm(VJ(bits, j), vltz(vf_loadu(VJ(soft, j))));
    } else {
        vf ba = vf_set1(-1.0f), bw = vf_set1(0.0f), bi = vf_set1(0.0f);
        for (size_t a = 0; a < n; a++) vbest(vf_loadu(VJ(w, a)), vf_set1((float)a), &ba, &bw, &bi);
        float idx[LANES];
        vf_storeu(idx, bi);
        vstm(bits, vltz(bw));
        for (size_t l = 0; l < LANES; l++) {
            const uint32_t best = (uint32_t)idx[l];
            for (unsigned j = 0; j < m; j++) VJ(bits, j + 1)[l] = (best >> j) & 1 ? SIGN : 0;
        }
    }
    memcpy(cw, bits, LANES * sizeof *cw);
    for (unsigned j = 0; j < m; j++) {
        const size_t len = (size_t)1 << j;
        const vf b = vldm(VJ(bits, j + 1));
        for (size_t i = 0; i < len; i++) vstm(VJ(cw, len + i), vf_xor(vldm(VJ(cw, i)), b));
    }
}

/* full_rate_soft below on LANES frames: a (n registers of |L|, overwritten), c the codeword masks,
 * out[j] = (1 - 2 b_j) 2 min_{S_j} a; t: n registers of masks. */
static void lanes_full_rate_soft(unsigned m, float *a, const uint32_t *c, float *out, uint32_t *t)
{
    if (m == 0) {
        const vf a0 = vf_loadu(a);
        vf_storeu(out, vf_xor(vf_add(a0, a0), vldm(c)));
        return;
    }
    const size_t h = (size_t)1 << (m - 1);
    for (size_t i = 0; i < h; i++) {
        vstm(VJ(t, i), vf_xor(vldm(VJ(c, i)), vldm(VJ(c, h + i))));
        const vf x = vf_loadu(VJ(a, i)), y = vf_loadu(VJ(a, h + i));
        vf_storeu(VJ(a, h + i), vsel_gt(y, x, x, y)); /* fminf: both >= +0 */
    }
    lanes_full_rate_soft(m - 1, VJ(a, h), t, VJ(out, rf_rm_k(m - 1, m - 1)), VJ(t, h));
    lanes_full_rate_soft(m - 1, a, c, out, t);
}

/* decode() below on LANES frames: L, cw n registers, bits (and soft, if not NULL) k registers,
 * scratch n registers, mt n registers of masks. */
static void lanes_decode(int variant, int f, const float *L, unsigned m, unsigned r, uint32_t *bits,
                         float *soft, uint32_t *cw, float *scratch, uint32_t *mt)
{
    const size_t n = (size_t)1 << m;
    if (r == 0) {
        vf s = vf_loadu(fold_sum(L, n, LANES, scratch));
        if (soft) {
            s = vf_add(s, s); /* 2 s, exactly */
            vf_storeu(soft, s);
        }
        const vf b = vltz(s);
        vstm(bits, b);
        for (size_t i = 0; i < n; i++) vstm(VJ(cw, i), b);
        return;
    }
    if (r == 1 && (variant == RF_DUMER || soft)) {
        lanes_rm1(L, m, bits, soft, cw, scratch);
        return;
    }
    if (r == m) {
        for (size_t i = 0; i < n; i++) vstm(VJ(cw, i), vltz(vf_loadu(VJ(L, i))));
        if (soft) {
            for (size_t i = 0; i < n; i++) vf_storeu(VJ(scratch, i), vf_abs(vf_loadu(VJ(L, i))));
            lanes_full_rate_soft(m, scratch, cw, soft, mt);
            for (size_t j = 0; j < n; j++) vstm(VJ(bits, j), vltz(vf_loadu(VJ(soft, j))));
            memcpy(cw, bits, n * LANES * sizeof *cw); /* then the codeword of the implied bits */
            for (size_t h = n / 2; h >= 1; h /= 2)
                for (size_t b = 0; b < n; b += 2 * h) xor_into(VJ(cw, b + h), VJ(cw, b), h * LANES);
        } else {
            memcpy(bits, cw, n * LANES * sizeof *bits);
            for (size_t h = n / 2; h >= 1; h /= 2)
                for (size_t b = 0; b < n; b += 2 * h) xor_into(VJ(bits, b + h), VJ(bits, b), h * LANES);
        }
        return;
    }
    const size_t h = n / 2, hl = h * LANES;
    const unsigned ru = r < m ? r : m - 1;
    const size_t ku = rf_rm_k(m - 1, ru);
    float *Lc = scratch;
    comb(L, L + hl, Lc, hl, f);
    lanes_decode(variant, f, Lc, m - 1, r - 1, VJ(bits, ku), soft ? VJ(soft, ku) : NULL, cw + hl,
                 scratch + hl, mt);
    gsum(L, L + hl, cw + hl, Lc, hl);
    lanes_decode(variant, f, Lc, m - 1, ru, bits, soft, cw, scratch + hl, mt);
    xor_into(cw + hl, cw, hl);
}

/* Decodes frames [0, LANES * groups) in the lane layout into msg (hard) or msg_llr (soft, if not
 * NULL); 0 if out of memory (nothing written). */
static int lanes_run(unsigned m, unsigned r, int variant, int f, const float *llr, size_t groups,
                     uint8_t *msg, float *msg_llr)
{
    const size_t n = (size_t)1 << m, k = rf_rm_k(m, r);
    float *in = malloc(n * LANES * sizeof *in), *scratch = malloc(n * LANES * sizeof *scratch);
    float *soft = msg_llr ? malloc(k * LANES * sizeof *soft) : NULL;
    uint32_t *cw = malloc(n * LANES * sizeof *cw), *bits = malloc(k * LANES * sizeof *bits);
    uint32_t *mt = malloc(n * LANES * sizeof *mt);
    const int ok = in && scratch && cw && bits && mt && (soft || !msg_llr);
    for (size_t g = 0; ok && g < groups; g++) {
        const float *src = llr + g * LANES * n;
        lanes_gather(src, n, in);
        sanitize(in, in, n * LANES);
        lanes_decode(variant, f, in, m, r, bits, soft, cw, scratch, mt);
        if (soft) {
            float *dst = msg_llr + g * LANES * k;
            for (size_t l = 0; l < LANES; l++)
                for (size_t j = 0; j < k; j++) dst[l * k + j] = VJ(soft, j)[l];
        } else {
            uint8_t *dst = msg + g * LANES * k;
            for (size_t l = 0; l < LANES; l++)
                for (size_t j = 0; j < k; j++) dst[l * k + j] = VJ(bits, j)[l] != 0;
        }
    }
    free(in);
    free(scratch);
    free(soft);
    free(cw);
    free(bits);
    free(mt);
    return ok;
}

/* ---- one frame at a time --------------------------------------------------------------------- */

/* ref's full_rate_soft: out[j] = (1 - 2 b_j) 2 min_{S_j} |L|. a overwritten, t: n bytes. */
static void full_rate_soft(unsigned m, float *a, const uint8_t *c, float *out, uint8_t *t)
{
    if (m == 0) {
        out[0] = c[0] ? -2.0f * a[0] : 2.0f * a[0];
        return;
    }
    const size_t h = (size_t)1 << (m - 1);
    for (size_t i = 0; i < h; i++) {
        t[i] = c[i] ^ c[h + i];
        a[h + i] = fminf(a[i], a[h + i]);
    }
    full_rate_soft(m - 1, a + h, t, out + rf_rm_k(m - 1, m - 1), t + h);
    full_rate_soft(m - 1, a, c, out, t);
}

typedef struct ctx {
    int variant, f, soft;
    uint8_t *bt; /* 2n bytes */
} ctx;

static void decode(const ctx *x, const float *L, unsigned m, unsigned r, uint8_t *bits, float *soft,
                   uint32_t *cw, float *scratch)
{
    const size_t n = (size_t)1 << m, k = rf_rm_k(m, r);
    if (r == 0) {
        const float s = *fold_sum(L, n, 1, scratch);
        if (x->soft) soft[0] = 2.0f * s;
        bits[0] = (x->soft ? soft[0] : s) < 0.0f;
        const uint32_t c = bits[0] ? SIGN : 0;
        for (size_t i = 0; i < n; i++) cw[i] = c;
        return;
    }
    if (r == 1 && (x->variant == RF_DUMER || x->soft)) {
        if (x->soft) {
            RF_LEVEL_FN(rm1_softmap_maxlog)(L, m, 1, soft);
            for (size_t j = 0; j < k; j++) bits[j] = soft[j] < 0.0f;
        } else {
            RF_LEVEL_FN(rm1_map)(L, m, 1, bits);
        }
        cw[0] = bits[0] ? SIGN : 0;
        for (unsigned j = 0; j < m; j++)
            xor_copy(cw, cw + ((size_t)1 << j), (size_t)1 << j, bits[j + 1] ? SIGN : 0);
        return;
    }
    if (r == m) {
        uint8_t *c = x->bt, *t = x->bt + n;
        for (size_t i = 0; i < n; i++) c[i] = L[i] < 0.0f;
        if (x->soft) {
            for (size_t i = 0; i < n; i++) scratch[i] = fabsf(L[i]);
            full_rate_soft(m, scratch, c, soft, t);
            for (size_t j = 0; j < k; j++) c[j] = bits[j] = soft[j] < 0.0f;
            full_transform(c, n); /* the codeword of the implied bits */
        } else {
            memcpy(bits, c, n);
            full_transform(bits, n);
        }
        for (size_t i = 0; i < n; i++) cw[i] = c[i] ? SIGN : 0;
        return;
    }
    const size_t h = n / 2;
    const unsigned ru = r < m ? r : m - 1;
    const size_t ku = rf_rm_k(m - 1, ru);
    float *Lc = scratch;
    comb(L, L + h, Lc, h, x->f);
    decode(x, Lc, m - 1, r - 1, bits + ku, soft ? soft + ku : NULL, cw + h, scratch + h);
    gsum(L, L + h, cw + h, Lc, h);
    decode(x, Lc, m - 1, ru, bits, soft, cw, scratch + h);
    xor_into(cw + h, cw, h);
}

static void frame_run(unsigned m, unsigned r, int variant, int f, int soft, const float *llr,
                      size_t frames, uint8_t *msg, float *msg_llr)
{
    const size_t n = (size_t)1 << m, k = rf_rm_k(m, r);
    float *in = malloc(n * sizeof *in), *scratch = malloc(n * sizeof *scratch);
    uint32_t *cw = malloc(n * sizeof *cw);
    uint8_t *bt = malloc(2 * n), *bits = malloc(k);
    const ctx x = {variant, f, soft, bt};
    for (size_t fr = 0; fr < frames; fr++) {
        if (!in || !scratch || !cw || !bt || !bits) { /* out of memory: mark the frame */
            for (size_t j = 0; j < k; j++) {
                if (soft) msg_llr[fr * k + j] = NAN;
                else msg[fr * k + j] = 0xff;
            }
            continue;
        }
        sanitize(llr + fr * n, in, n);
        decode(&x, in, m, r, bits, soft ? msg_llr + fr * k : NULL, cw, scratch);
        if (!soft) memcpy(msg + fr * k, bits, k);
    }
    free(in);
    free(scratch);
    free(cw);
    free(bt);
    free(bits);
}

static int valid(unsigned m, unsigned r, int variant, int f, size_t frames)
{
    return m <= DUMER_MAX_M && r <= m && frames > 0 && (variant == RF_DUMER || variant == RF_DUMER0) &&
           (f == RF_F_EXACT || f == RF_F_MINSUM);
}

void RF_LEVEL_FN(rm_dumer)(unsigned m, unsigned r, int variant, int f, const float *llr, size_t frames, uint8_t *msg)
{
    if (!valid(m, r, variant, f, frames)) return;
    size_t done = 0;
    if (m <= DUMER_LANE_MAX_M && frames >= LANES &&
        lanes_run(m, r, variant, f, llr, frames / LANES, msg, NULL))
        done = frames / LANES * LANES;
    if (done < frames)
        frame_run(m, r, variant, f, 0, llr + done * ((size_t)1 << m), frames - done, msg + done * rf_rm_k(m, r),
                  NULL);
}

void RF_LEVEL_FN(rm_dumer_soft)(unsigned m, unsigned r, int f, const float *llr, size_t frames, float *msg_llr)
{
    if (!valid(m, r, RF_DUMER, f, frames)) return;
    size_t done = 0;
    if (m <= DUMER_LANE_MAX_M && frames >= LANES &&
        lanes_run(m, r, RF_DUMER, f, llr, frames / LANES, NULL, msg_llr))
        done = frames / LANES * LANES;
    if (done < frames)
        frame_run(m, r, RF_DUMER, f, 1, llr + done * ((size_t)1 << m), frames - done, NULL,
                  msg_llr + done * rf_rm_k(m, r));
}
