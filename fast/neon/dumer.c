/* Dumer's recursive decoder, NEON (4 floats per register). Mirrors ref/dumer.c:
 * rm_dumer_ref and rm_dumer_soft_ref, the same recursion on the same layout.
 *
 * Tricks: the recursion stays (its depth is only m), but every node's work is elementwise over
 * n/2 coordinates and runs on whole registers: f(L1, L2), Lu = L1 + (L2 XOR cw_v) with the
 * codeword kept as sign-bit masks (0 or 0x80000000 per coordinate, so (-1)^v L2 is one XOR and
 * (u, u^v) is one XOR), the repetition leaf's fold of halves (bit-identical to ref's order), the
 * RM(m,1) codeword by doubling. RM(m,1) leaves call this level's rm1_map / rm1_softmap_maxlog
 * (FHT + argmax in registers). f on nodes narrower than a register goes through one padded
 * register.
 * Everything except the exact f is bit-identical to ref (same operations, same order); min-sum
 * decoding is therefore bit-identical to ref.
 * The exact f: s + log1p(e^-|a+b|) - log1p(e^-|a-b|), evaluated in ref's order, with
 *   e^-x (x >= 0): degree-6 polynomial after reduction by ln 2 (FMA) and 2^k built in the exponent field, arguments
 *     below -87 give e^-87 (the absolute error < 2e-38 is invisible after log1p);
 *   log1p(t), t in (0, 1]: u = 1 + t, the rounding error t - (u - 1) (exact) added back as
 *     c / u, log u by Cephes' logf polynomial on [sqrt(1/2), sqrt(2)).
 * The correction term log1p(e^-x) has max abs error 7.8e-8 (~1.3 u of log 2) against long double
 * over x in [0, 104] (measured at every level by sweeping 2^22 evenly spaced arguments; ref's
 * log1pf(expf(-x)) shows 5.5e-8): a few u absolute per f, inside the `+ n` part of the decision
 * scale (kernels/registry/dumer.c). Results are judged by the decision class against the oracle.
 */
#include <arm_neon.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/decoders.h"
#include "refast/softmap.h"

#define LANES 4
#define AI static inline __attribute__((always_inline))
#define RM1_MAP rm1_map_neon
#define RM1_SOFTMAP_MAXLOG rm1_softmap_maxlog_neon

typedef float32x4_t vf;

AI vf vld(const float *p) { return vld1q_f32(p); }
AI void vst(float *p, vf x) { vst1q_f32(p, x); }
AI vf vldm(const uint32_t *p) { return vreinterpretq_f32_u32(vld1q_u32(p)); }
AI void vstm(uint32_t *p, vf x) { vst1q_u32(p, vreinterpretq_u32_f32(x)); }
AI vf vsplatm(uint32_t x) { return vreinterpretq_f32_u32(vdupq_n_u32(x)); }
AI vf vset(float x) { return vdupq_n_f32(x); }
AI vf vadd(vf a, vf b) { return vaddq_f32(a, b); }
AI vf vxor(vf a, vf b) { return vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b))); }
AI vf vabs(vf a) { return vabsq_f32(a); }

/* NaN -> 0, then clamp to +-2^100 (vminq/vmaxq would propagate a NaN: it is cleared first). */
AI vf vsanitize(vf x)
{
    x = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(x), vceqq_f32(x, x)));
    x = vminq_f32(x, vset(0x1p100f));
    return vmaxq_f32(x, vset(-0x1p100f));
}

/* sign(a) sign(b) min(|a|,|b|): the XOR of the sign bits on the minimum magnitude. */
AI vf vminsum(vf a, vf b)
{
    const uint32x4_t sgn = vandq_u32(veorq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b)),
                                     vdupq_n_u32(0x80000000u));
    return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(vminq_f32(vabs(a), vabs(b))), sgn));
}

/* e^x for x <= 0. */
AI vf vexp_nonpos(vf x)
{
    x = vmaxq_f32(x, vset(-87.0f));
    vf k = vrndnq_f32(vmulq_n_f32(x, 1.44269504088896341f));
    vf r = vfmsq_f32(x, k, vset(0.693145751953125f));
    r = vfmsq_f32(r, k, vset(1.428606765330187e-06f));
    vf p = vset(1.9875691500e-4f);
    p = vfmaq_f32(vset(1.3981999507e-3f), p, r);
    p = vfmaq_f32(vset(8.3334519073e-3f), p, r);
    p = vfmaq_f32(vset(4.1665795894e-2f), p, r);
    p = vfmaq_f32(vset(1.6666665459e-1f), p, r);
    p = vfmaq_f32(vset(5.0000001201e-1f), p, r);
    p = vfmaq_f32(vaddq_f32(r, vset(1.0f)), p, vmulq_f32(r, r));
    /* k in [-126, 0]: 2^k is a normal float built in the exponent field */
    const int32x4_t e = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(k), vdupq_n_s32(127)), 23);
    return vmulq_f32(p, vreinterpretq_f32_s32(e));
}

/* log1p(t) for t in [0, 1]. */
AI vf vlog1p_unit(vf t)
{
    const vf one = vset(1.0f);
    const vf u = vaddq_f32(one, t);
    const vf c = vdivq_f32(vsubq_f32(t, vsubq_f32(u, one)), u);
    const uint32x4_t big = vcgtq_f32(u, vset(1.41421356f));
    const vf e = vreinterpretq_f32_u32(vandq_u32(big, vreinterpretq_u32_f32(one)));
    const vf y = vbslq_f32(big, vmulq_f32(u, vset(0.5f)), u);
    const vf f = vsubq_f32(y, one);
    const vf z = vmulq_f32(f, f);
    vf p = vset(7.0376836292E-2f);
    p = vfmaq_f32(vset(-1.1514610310E-1f), p, f);
    p = vfmaq_f32(vset(1.1676998740E-1f), p, f);
    p = vfmaq_f32(vset(-1.2420140846E-1f), p, f);
    p = vfmaq_f32(vset(1.4249322787E-1f), p, f);
    p = vfmaq_f32(vset(-1.6668057665E-1f), p, f);
    p = vfmaq_f32(vset(2.0000714765E-1f), p, f);
    p = vfmaq_f32(vset(-2.4999993993E-1f), p, f);
    p = vfmaq_f32(vset(3.3333331174E-1f), p, f);
    vf y2 = vmulq_f32(vmulq_f32(p, f), z);
    y2 = vfmaq_f32(y2, e, vset(-2.12194440e-4f));
    y2 = vfmaq_f32(y2, z, vset(-0.5f));
    vf res = vaddq_f32(f, y2);
    res = vfmaq_f32(res, e, vset(0.693359375f));
    return vaddq_f32(res, c);
}

/* The exact f in ref's order: (s + log1p(e^-|a+b|)) - log1p(e^-|a-b|). */
AI vf vexact(vf a, vf b)
{
    const vf s = vminsum(a, b);
    const vf c1 = vlog1p_unit(vexp_nonpos(vnegq_f32(vabs(vaddq_f32(a, b)))));
    const vf c2 = vlog1p_unit(vexp_nonpos(vnegq_f32(vabs(vsubq_f32(a, b)))));
    return vsubq_f32(vaddq_f32(s, c1), c2);
}

/* ---- the recursion (identical text at every level; only the primitives above differ) --------- */

#define SIGN 0x80000000u
#define DUMER_MAX_M 16

static size_t rm_k(unsigned m, unsigned r)
{
    size_t k = 0, c = 1;
    for (unsigned i = 0; i <= r && i <= m; i++) {
        k += c;
        c = c * (m - i) / (i + 1);
    }
    return k;
}

static float sanitize_scalar(float x)
{
    if (isnan(x)) return 0.0f;
    return x > 0x1p100f ? 0x1p100f : x < -0x1p100f ? -0x1p100f : x;
}

static void sanitize(const float *in, float *out, size_t n)
{
    size_t i = 0;
    for (; i + LANES <= n; i += LANES) vst(out + i, vsanitize(vld(in + i)));
    for (; i < n; i++) out[i] = sanitize_scalar(in[i]);
}

/* o = f(a, b) elementwise (o may not alias a or b). */
static void comb(const float *a, const float *b, float *o, size_t h, int f)
{
    size_t i = 0;
    if (f == RF_F_MINSUM)
        for (; i + LANES <= h; i += LANES) vst(o + i, vminsum(vld(a + i), vld(b + i)));
    else
        for (; i + LANES <= h; i += LANES) vst(o + i, vexact(vld(a + i), vld(b + i)));
    if (i < h) { /* the tail through one padded register: scalar libm f's cost 20-40 ns each */
        float ta[LANES], tb[LANES], to[LANES];
        for (size_t t = 0; t < LANES; t++) {
            ta[t] = i + t < h ? a[i + t] : 1.0f;
            tb[t] = i + t < h ? b[i + t] : 1.0f;
        }
        vst(to, f == RF_F_MINSUM ? vminsum(vld(ta), vld(tb)) : vexact(vld(ta), vld(tb)));
        memcpy(o + i, to, (h - i) * sizeof *o);
    }
}

/* o = a + (b with its sign flipped where cw has the sign bit): Lu = L1 + (-1)^v L2. */
static void gsum(const float *a, const float *b, const uint32_t *cw, float *o, size_t h)
{
    size_t i = 0;
    for (; i + LANES <= h; i += LANES) vst(o + i, vadd(vld(a + i), vxor(vld(b + i), vldm(cw + i))));
    for (; i < h; i++) o[i] = a[i] + (cw[i] ? -b[i] : b[i]);
}

/* o = a + b elementwise (o may be a). */
static void add_halves(const float *a, const float *b, float *o, size_t h)
{
    size_t i = 0;
    for (; i + LANES <= h; i += LANES) vst(o + i, vadd(vld(a + i), vld(b + i)));
    for (; i < h; i++) o[i] = a[i] + b[i];
}

/* dst = src ^ x (codeword masks). */
static void xor_copy(const uint32_t *src, uint32_t *dst, size_t len, uint32_t x)
{
    size_t i = 0;
    const vf vx = vsplatm(x);
    for (; i + LANES <= len; i += LANES) vstm(dst + i, vxor(vldm(src + i), vx));
    for (; i < len; i++) dst[i] = src[i] ^ x;
}

/* The repetition sum in ref's fold order (bit-identical to ref). */
static float fold_sum(const float *L, size_t n, float *t)
{
    if (n == 1) return L[0];
    add_halves(L, L + n / 2, t, n / 2);
    for (size_t h = n / 4; h >= 1; h /= 2) add_halves(t, t + h, t, h);
    return t[0];
}

/* Codeword masks of RM(m,1) bits b0..bm: doubling, c[len..2len) = c[0..len) ^ b_{j+1}. */
static void rm1_codeword(const uint8_t *b, unsigned m, uint32_t *cw)
{
    cw[0] = b[0] ? SIGN : 0;
    for (unsigned j = 0; j < m; j++) xor_copy(cw, cw + ((size_t)1 << j), (size_t)1 << j, b[j + 1] ? SIGN : 0);
}

/* The full-rate transform (c = (u, u^v) level by level): maps message bits to the codeword and,
 * being an involution over GF(2), the codeword back to the message bits. */
static void full_transform(uint8_t *c, size_t n)
{
    for (size_t h = n / 2; h >= 1; h /= 2)
        for (size_t b = 0; b < n; b += 2 * h)
            for (size_t i = 0; i < h; i++) c[b + h + i] ^= c[b + i];
}

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
    full_rate_soft(m - 1, a + h, t, out + rm_k(m - 1, m - 1), t + h);
    full_rate_soft(m - 1, a, c, out, t);
}

typedef struct ctx {
    int variant, f, soft;
    uint8_t *bt; /* n bytes */
} ctx;

static void decode(const ctx *x, const float *L, unsigned m, unsigned r, uint8_t *bits, float *soft,
                   uint32_t *cw, float *scratch)
{
    const size_t n = (size_t)1 << m, k = rm_k(m, r);
    if (r == 0) {
        const float s = fold_sum(L, n, scratch);
        if (x->soft) soft[0] = 2.0f * s;
        bits[0] = (x->soft ? soft[0] : s) < 0.0f;
        const uint32_t c = bits[0] ? SIGN : 0;
        for (size_t i = 0; i < n; i++) cw[i] = c;
        return;
    }
    if (r == 1 && (x->variant == RF_DUMER || x->soft)) {
        if (x->soft) {
            RM1_SOFTMAP_MAXLOG(L, m, 1, soft);
            for (size_t j = 0; j < k; j++) bits[j] = soft[j] < 0.0f;
        } else {
            RM1_MAP(L, m, 1, bits);
        }
        rm1_codeword(bits, m, cw);
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
    const size_t ku = rm_k(m - 1, ru);
    float *Lc = scratch;
    comb(L, L + h, Lc, h, x->f);
    decode(x, Lc, m - 1, r - 1, bits + ku, soft ? soft + ku : NULL, cw + h, scratch + h);
    gsum(L, L + h, cw + h, Lc, h);
    decode(x, Lc, m - 1, ru, bits, soft, cw, scratch + h);
    {
        size_t i = 0;
        for (; i + LANES <= h; i += LANES) vstm(cw + h + i, vxor(vldm(cw + h + i), vldm(cw + i)));
        for (; i < h; i++) cw[h + i] ^= cw[i];
    }
}

static void run(unsigned m, unsigned r, int variant, int f, int soft, const float *llr, size_t frames,
                uint8_t *msg, float *msg_llr)
{
    if (m > DUMER_MAX_M || r > m || frames == 0) return;
    if ((variant != RF_DUMER && variant != RF_DUMER0) || (f != RF_F_EXACT && f != RF_F_MINSUM)) return;
    const size_t n = (size_t)1 << m, k = rm_k(m, r);
    float *in = malloc(n * sizeof *in), *scratch = malloc(n * sizeof *scratch);
    uint32_t *cw = malloc(n * sizeof *cw);
    uint8_t *bt = malloc(2 * n), *bits = malloc(k);
    const ctx x = {variant, f, soft, bt};
    for (size_t fr = 0; fr < frames; fr++) {
        if (!in || !scratch || !cw || !bt || !bits) {
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

void rm_dumer_neon(unsigned m, unsigned r, int variant, int f, const float *llr, size_t frames,
                        uint8_t *msg)
{
    run(m, r, variant, f, 0, llr, frames, msg, NULL);
}

void rm_dumer_soft_neon(unsigned m, unsigned r, int f, const float *llr, size_t frames, float *msg_llr)
{
    run(m, r, RF_DUMER, f, 1, llr, frames, NULL, msg_llr);
}
