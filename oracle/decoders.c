/* Oracle for the Dumer decoders and block ML (see oracle.h): long double, no transform, no code
 * shared with ref/ or fast/. The recursion is the SPEC's; everything numeric differs from ref
 * (precision, W by direct correlation, soft full-rate leaves by enumeration). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"

#define CLAMP 0x1p100L

static long double sanitize(float x)
{
    if (isnan(x)) return 0.0L;
    return x > CLAMP ? CLAMP : x < -CLAMP ? -CLAMP : (long double)x;
}

static size_t kof(unsigned m, unsigned r)
{
    size_t k = 0;
    for (unsigned i = 0; i <= r && i <= m; i++) {
        size_t c = 1; /* C(m, i) */
        for (unsigned j = 0; j < i; j++) c = c * (m - j) / (j + 1);
        k += c;
    }
    return k;
}

void ora_rm_encode(unsigned m, unsigned r, const uint8_t *msg, uint8_t *cw)
{
    const size_t n = (size_t)1 << m;
    if (r == 0 || m == 0) {
        for (size_t i = 0; i < n; i++) cw[i] = msg[0] & 1;
        return;
    }
    const unsigned ru = r < m ? r : m - 1;
    ora_rm_encode(m - 1, ru, msg, cw);
    ora_rm_encode(m - 1, r - 1, msg + kof(m - 1, ru), cw + n / 2);
    for (size_t i = 0; i < n / 2; i++) cw[n / 2 + i] ^= cw[i];
}

static long double minl_(long double a, long double b)
{
    return a < b ? a : b;
}

static long double comb(long double a, long double b, int f)
{
    const long double m = minl_(fabsl(a), fabsl(b));
    const long double s = ((a < 0) != (b < 0)) ? -m : m;
    if (f == 1) return s;
    return s + log1pl(expl(-fabsl(a + b))) - log1pl(expl(-fabsl(a - b)));
}

typedef struct octx {
    int variant, f, soft;
    long double margin;
} octx;

static void note(octx *x, long double margin)
{
    if (margin < x->margin) x->margin = margin;
}

/* RM(m,1) leaf: W(a) = sum_i L_i (-1)^popcount(i & a), directly. */
static void leaf_rm1(octx *x, const long double *L, unsigned m, uint8_t *bits, long double *soft)
{
    const size_t n = (size_t)1 << m;
    long double *W = malloc(n * sizeof *W);
    if (!W) abort();
    for (size_t a = 0; a < n; a++) {
        long double s = 0.0L;
        for (size_t i = 0; i < n; i++) s += __builtin_parityll((unsigned long long)(i & a)) ? -L[i] : L[i];
        W[a] = s;
    }
    if (x->soft) {
        long double hi = W[0], lo = W[0];
        for (size_t a = 1; a < n; a++) {
            if (W[a] > hi) hi = W[a];
            if (W[a] < lo) lo = W[a];
        }
        soft[0] = hi + lo;
        for (unsigned j = 0; j < m; j++) {
            long double b0 = 0.0L, b1 = 0.0L;
            for (size_t a = 0; a < n; a++) {
                if ((a >> j) & 1) b1 = fabsl(W[a]) > b1 ? fabsl(W[a]) : b1;
                else b0 = fabsl(W[a]) > b0 ? fabsl(W[a]) : b0;
            }
            soft[j + 1] = b0 - b1;
        }
        for (unsigned j = 0; j <= m; j++) {
            bits[j] = soft[j] < 0;
            note(x, fabsl(soft[j]));
        }
    } else {
        size_t best = 0;
        for (size_t a = 1; a < n; a++)
            if (fabsl(W[a]) > fabsl(W[best])) best = a;
        long double second = 0.0L;
        for (size_t a = 0; a < n; a++)
            if (a != best && fabsl(W[a]) > second) second = fabsl(W[a]);
        note(x, minl_(fabsl(W[best]) - second, fabsl(W[best])));
        bits[0] = W[best] < 0;
        for (unsigned j = 0; j < m; j++) bits[j + 1] = (best >> j) & 1;
    }
    free(W);
}

/* Message bits of a full-rate codeword, in place (c = (u, u^v) undone level by level). */
static void full_inverse(uint8_t *c, size_t n)
{
    for (size_t h = n / 2; h >= 1; h /= 2)
        for (size_t b = 0; b < n; b += 2 * h)
            for (size_t i = 0; i < h; i++) c[b + h + i] ^= c[b + i];
}

/* Full-rate leaf, soft: max-log over all 2^n codewords of the leaf (n <= 16), else the closed form
 * +-2 min |L| over the parity set, computed here by flipping each message bit alone. */
static void leaf_full_soft(octx *x, const long double *L, unsigned m, long double *soft)
{
    const size_t n = (size_t)1 << m;
    if (n <= 16) {
        uint8_t msg[16], cw[16];
        long double best[16][2];
        for (size_t j = 0; j < n; j++) best[j][0] = best[j][1] = -INFINITY;
        for (size_t u = 0; u < ((size_t)1 << n); u++) {
            for (size_t j = 0; j < n; j++) msg[j] = (u >> j) & 1;
            ora_rm_encode(m, m, msg, cw);
            long double c = 0.0L;
            for (size_t i = 0; i < n; i++) c += cw[i] ? -L[i] : L[i];
            for (size_t j = 0; j < n; j++)
                if (c > best[j][msg[j]]) best[j][msg[j]] = c;
        }
        for (size_t j = 0; j < n; j++) soft[j] = best[j][0] - best[j][1];
        return;
    }
    /* Large full-rate leaves (RM(m,m), m >= 5): flipping message bit j of the hard decision h
     * costs at least 2 |L_i| for the cheapest position i whose unit vector's message has bit j
     * set, and exactly that (flip position i alone). Messages of codewords by the inverse of the
     * encoder: level by level, second half ^= first half. O(n^2 log n): fuzz-sized codes only. */
    (void)x;
    uint8_t *e = malloc(n);
    if (!e) abort();
    for (size_t j = 0; j < n; j++) soft[j] = INFINITY;
    for (size_t i = 0; i < n; i++) {
        memset(e, 0, n);
        e[i] = 1;
        full_inverse(e, n);
        for (size_t j = 0; j < n; j++)
            if (e[j] && fabsl(L[i]) < soft[j]) soft[j] = fabsl(L[i]);
    }
    for (size_t i = 0; i < n; i++) e[i] = L[i] < 0;
    full_inverse(e, n);
    for (size_t j = 0; j < n; j++) soft[j] = e[j] ? -2 * soft[j] : 2 * soft[j];
    free(e);
}

static void decode(octx *x, const long double *L, unsigned m, unsigned r, uint8_t *bits,
                   long double *soft, uint8_t *cw)
{
    const size_t n = (size_t)1 << m, k = kof(m, r);
    if (r == 0) {
        long double s = 0.0L;
        for (size_t i = 0; i < n; i++) s += L[i];
        if (x->soft) {
            soft[0] = 2 * s;
            note(x, fabsl(soft[0]));
        } else {
            note(x, fabsl(s));
        }
        bits[0] = s < 0;
        ora_rm_encode(m, 0, bits, cw);
        return;
    }
    if (r == 1 && (x->variant == 0 || x->soft)) {
        leaf_rm1(x, L, m, bits, soft);
        ora_rm_encode(m, 1, bits, cw);
        return;
    }
    if (r == m) {
        if (x->soft) {
            leaf_full_soft(x, L, m, soft);
            for (size_t j = 0; j < k; j++) {
                bits[j] = soft[j] < 0;
                note(x, fabsl(soft[j]));
            }
            ora_rm_encode(m, m, bits, cw);
            return;
        }
        long double mn = INFINITY;
        for (size_t i = 0; i < n; i++) {
            cw[i] = L[i] < 0;
            mn = minl_(mn, fabsl(L[i]));
        }
        note(x, mn);
        memcpy(bits, cw, n);
        full_inverse(bits, n);
        return;
    }
    const size_t h = n / 2;
    const unsigned ru = r < m ? r : m - 1;
    const size_t ku = kof(m - 1, ru);
    long double *Lc = calloc(h, sizeof *Lc);
    uint8_t *cv = malloc(h), *cu = malloc(h);
    if (!Lc || !cv || !cu) abort();
    for (size_t i = 0; i < h; i++) Lc[i] = comb(L[i], L[h + i], x->f);
    decode(x, Lc, m - 1, r - 1, bits + ku, soft ? soft + ku : NULL, cv);
    for (size_t i = 0; i < h; i++) Lc[i] = cv[i] ? L[i] - L[h + i] : L[i] + L[h + i];
    decode(x, Lc, m - 1, ru, bits, soft, cu);
    for (size_t i = 0; i < h; i++) {
        cw[i] = cu[i];
        cw[h + i] = cu[i] ^ cv[i];
    }
    free(Lc);
    free(cv);
    free(cu);
}

long double ora_rm_dumer(unsigned m, unsigned r, int variant, int f, int soft, const float *llr,
                         uint8_t *bits, long double *soft_out)
{
    const size_t n = (size_t)1 << m, k = kof(m, r);
    long double *L = malloc(n * sizeof *L), *so = malloc(k * sizeof *so);
    uint8_t *cw = malloc(n);
    if (!L || !so || !cw) {
        free(L);
        free(so);
        free(cw);
        return -1.0L;
    }
    for (size_t i = 0; i < n; i++) L[i] = sanitize(llr[i]);
    octx x = {variant, f, soft, INFINITY};
    decode(&x, L, m, r, bits, so, cw);
    if (soft && soft_out)
        for (size_t j = 0; j < k; j++) soft_out[j] = so[j];
    free(L);
    free(so);
    free(cw);
    return x.margin;
}

long double ora_block_ml(const uint8_t *gen, unsigned k, size_t n, const float *llr, uint8_t *bits)
{
    const size_t msgs = (size_t)1 << k;
    float *l = malloc(n * sizeof *l);
    long double *corr = malloc(msgs * sizeof *corr);
    if (!l || !corr) {
        free(l);
        free(corr);
        return -1.0L;
    }
    for (size_t i = 0; i < n; i++) l[i] = (float)sanitize(llr[i]); /* exact: a float or +-2^100 */
    long double margin = -1.0L;
    if (ora_code_correlations(l, 1, n, k, gen, corr) == 0) {
        size_t best = 0;
        for (size_t u = 1; u < msgs; u++)
            if (corr[u] > corr[best]) best = u;
        long double second = -INFINITY;
        for (size_t u = 0; u < msgs; u++)
            if (u != best && corr[u] > second) second = corr[u];
        for (unsigned j = 0; j < k; j++) bits[j] = (best >> j) & 1;
        margin = corr[best] - second;
    }
    free(l);
    free(corr);
    return margin;
}
