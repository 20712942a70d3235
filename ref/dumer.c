/* Dumer's recursive decoder for RM(m,r), scalar reference (SPEC §5.1; refast/decoders.h).
 *
 * The recursion is written exactly as SPEC states it, on the canonical Plotkin layout
 * c = (u, u XOR v): L1 = L[0..n/2) observes u, L2 = L[n/2..n) observes u XOR v, so
 *   Lv = f(L1, L2)                       v = decode(Lv, m-1, r-1)       (bits k(m-1,ru)..k)
 *   Lu = L1 + (-1)^v L2                  u = decode(Lu, m-1, min(r,m-1)) (bits 0..k(m-1,ru))
 * Every node returns its message bits and its codeword (u8 0/1), which the parent needs for Lu.
 * Leaves: r == 0 repetition, [sum L < 0] with the sum taken by folding halves (t_i += t_{i+h},
 * h = n/2, n/4, ..., 1: the order in which polar SC adds a repetition subtree, so dumer0 and SC
 * see the same rounding); r == 1 (variant dumer) rm1_map; r == m full rate, hard decisions.
 * The soft-output decoder returns at each leaf its Soft-MAP LLRs in the max-log form of eq. C.6
 * (repetition: 2 sum L; RM(m,1): rm1_softmap_maxlog; full rate: +-2 min_{i in S_j} |L_i|, S_j the
 * positions whose parity is message bit j) and continues with the bits [LLR < 0].
 * Inputs are sanitised first (NaN -> 0, clamp to +-2^100), see the header.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/decoders.h"
#include "refast/softmap.h"

#define DUMER_MAX_M 16
#define CLAMP 0x1p100f

/* k(m, r) = sum_{i <= r} C(m, i). */
static size_t rm_k(unsigned m, unsigned r)
{
    size_t k = 0, c = 1;
    for (unsigned i = 0; i <= r && i <= m; i++) {
        k += c;
        c = c * (m - i) / (i + 1);
    }
    return k;
}

static float sanitize(float x)
{
    if (isnan(x)) return 0.0f;
    return x > CLAMP ? CLAMP : x < -CLAMP ? -CLAMP : x;
}

/* The check-node combination: sign(a) sign(b) min(|a|,|b|) (+ the exact LSE correction). */
static float f_comb(float a, float b, int f)
{
    float m = fminf(fabsf(a), fabsf(b));
    float s = signbit(a) != signbit(b) ? -m : m;
    if (f == RF_F_MINSUM) return s;
    return s + log1pf(expf(-fabsf(a + b))) - log1pf(expf(-fabsf(a - b)));
}

/* Sum of n = 2^m values by folding halves; t (n floats) is overwritten. */
static float fold_sum(const float *L, size_t n, float *t)
{
    memcpy(t, L, n * sizeof *t);
    for (size_t h = n / 2; h >= 1; h /= 2)
        for (size_t i = 0; i < h; i++) t[i] = t[i] + t[i + h];
    return t[0];
}

/* The canonical encoder (SPEC §5.1) into cw (n bits 0/1). */
static void encode(unsigned m, unsigned r, const uint8_t *b, uint8_t *cw)
{
    const size_t n = (size_t)1 << m;
    if (r == 0 || m == 0) {
        memset(cw, b[0], n);
        return;
    }
    const unsigned ru = r < m ? r : m - 1;
    encode(m - 1, ru, b, cw);
    encode(m - 1, r - 1, b + rm_k(m - 1, ru), cw + n / 2);
    for (size_t i = 0; i < n / 2; i++) cw[n / 2 + i] ^= cw[i];
}

/* Message bits of a full-rate codeword: u = c[0..h), v = c[0..h) XOR c[h..n). t: n/2 bytes. */
static void full_rate_bits(unsigned m, const uint8_t *c, uint8_t *b, uint8_t *t)
{
    if (m == 0) {
        b[0] = c[0];
        return;
    }
    const size_t h = (size_t)1 << (m - 1);
    full_rate_bits(m - 1, c, b, t);
    for (size_t i = 0; i < h; i++) t[i] = c[i] ^ c[h + i];
    full_rate_bits(m - 1, t, b + rm_k(m - 1, m - 1), t + h);
}

/* Soft full-rate leaf: a = |L| magnitudes (overwritten), c the hard codeword; out[j] =
 * (1 - 2 b_j) 2 min_{S_j} a. The v-part sees min(a1, a2): its parities span both halves; the
 * u-part only the first half (u = c[0..h)). The v-part goes first, before a[0..h) is reused.
 * t: n bytes. */
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
    float *ft;  /* float scratch, n */
    uint8_t *bt; /* byte scratch, n */
} ctx;

/* Decodes one node of size n = 2^m from L. bits: k(m,r) hard bits (or NULL), soft: k LLRs (soft
 * decoder), cw: the node's codeword. scratch: n floats free for this subtree. */
static void decode(const ctx *x, const float *L, unsigned m, unsigned r, uint8_t *bits, float *soft,
                   uint8_t *cw, float *scratch)
{
    const size_t n = (size_t)1 << m, k = rm_k(m, r);
    if (r == 0) {
        const float s = fold_sum(L, n, scratch);
        if (x->soft) soft[0] = 2.0f * s;
        bits[0] = (x->soft ? soft[0] : s) < 0.0f;
        memset(cw, bits[0], n);
        return;
    }
    if (r == 1 && (x->variant == RF_DUMER || x->soft)) {
        if (x->soft) {
            RF_REF(rm1_softmap_maxlog)(L, m, 1, soft);
            for (size_t j = 0; j < k; j++) bits[j] = soft[j] < 0.0f;
        } else {
            RF_REF(rm1_map)(L, m, 1, bits);
        }
        encode(m, 1, bits, cw);
        return;
    }
    if (r == m) {
        for (size_t i = 0; i < n; i++) cw[i] = L[i] < 0.0f;
        if (x->soft) {
            for (size_t i = 0; i < n; i++) scratch[i] = fabsf(L[i]);
            full_rate_soft(m, scratch, cw, soft, x->bt);
            for (size_t j = 0; j < k; j++) bits[j] = soft[j] < 0.0f;
            encode(m, m, bits, cw);
        } else {
            full_rate_bits(m, cw, bits, x->bt);
        }
        return;
    }
    const size_t h = n / 2;
    const unsigned ru = r < m ? r : m - 1;
    const size_t ku = rm_k(m - 1, ru);
    const float *L1 = L, *L2 = L + h;
    float *Lc = scratch; /* Lv, then Lu */
    for (size_t i = 0; i < h; i++) Lc[i] = f_comb(L1[i], L2[i], x->f);
    decode(x, Lc, m - 1, r - 1, bits + ku, soft ? soft + ku : NULL, cw + h, scratch + h);
    for (size_t i = 0; i < h; i++) Lc[i] = L1[i] + (cw[h + i] ? -L2[i] : L2[i]);
    decode(x, Lc, m - 1, ru, bits, soft, cw, scratch + h);
    for (size_t i = 0; i < h; i++) cw[h + i] ^= cw[i];
}

/* Shared driver: scratch for one frame, sanitised input, then the recursion. */
static void run(unsigned m, unsigned r, int variant, int f, int soft, const float *llr, size_t frames,
                uint8_t *msg, float *msg_llr)
{
    if (m > DUMER_MAX_M || r > m || frames == 0) return;
    if ((variant != RF_DUMER && variant != RF_DUMER0) || (f != RF_F_EXACT && f != RF_F_MINSUM)) return;
    const size_t n = (size_t)1 << m, k = rm_k(m, r);
    float *in = malloc(n * sizeof *in), *scratch = malloc(n * sizeof *scratch);
    uint8_t *cw = malloc(n), *bt = malloc(n), *bits = malloc(k);
    ctx x = {variant, f, soft, scratch, bt};
    for (size_t fr = 0; fr < frames; fr++) {
        if (!in || !scratch || !cw || !bt || !bits) { /* out of memory: mark the frame */
            for (size_t j = 0; j < k; j++) {
                if (soft) msg_llr[fr * k + j] = NAN;
                else msg[fr * k + j] = 0xff;
            }
            continue;
        }
        for (size_t i = 0; i < n; i++) in[i] = sanitize(llr[fr * n + i]);
        decode(&x, in, m, r, bits, soft ? msg_llr + fr * k : NULL, cw, scratch);
        if (!soft) memcpy(msg + fr * k, bits, k);
    }
    free(in);
    free(scratch);
    free(cw);
    free(bt);
    free(bits);
}

void RF_REF(rm_dumer)(unsigned m, unsigned r, int variant, int f, const float *llr, size_t frames,
                      uint8_t *msg)
{
    run(m, r, variant, f, 0, llr, frames, msg, NULL);
}

void RF_REF(rm_dumer_soft)(unsigned m, unsigned r, int f, const float *llr, size_t frames,
                           float *msg_llr)
{
    run(m, r, RF_DUMER, f, 1, llr, frames, NULL, msg_llr);
}
