/* Oracle for the RM and polar encoders and the polar constructions (SPEC §5.1).
 *
 * Nothing here uses the Plotkin recursion or a butterfly:
 * - RM(m,r): c_i = XOR over the monomials M_t of degree <= r of b_t M_t(i), M_t(i) = 1 iff every
 *   variable of M_t is 1 at the point i (the bits of i). The monomial order (by the integer whose
 *   bits are the variables) is the canonical message order; tests/test_codes.c proves it equal to
 *   SPEC's recursion on every (m, r) up to m = 8 and checks the seed's examples.
 * - Polar: the generator matrix F^{(x)n} is built by Kronecker products, G_2N = [[G, 0], [G, G]],
 *   and the codeword is the XOR of the rows of the message's information positions.
 * - GA: long double, with phi^-1 found by bisection on the monotone phi (not the closed forms
 *   of kernels/codes.c). Bhattacharyya: long double in z itself (not log z).
 * - Selection: rank of i = #channels ahead of it (more reliable, or equal with a larger index).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "oracle.h"

size_t ora_rm_monomials(unsigned m, unsigned r, uint32_t *mono)
{
    size_t k = 0;
    for (uint32_t j = 0; j < (1u << m); j++)
        if ((unsigned)__builtin_popcount(j) <= r) mono[k++] = j;
    return k;
}

/* M(i) for the monomial whose variables are the set bits of mono. */
static unsigned monomial_at(uint32_t mono, size_t i)
{
    unsigned v = 1;
    for (unsigned t = 0; t < 32; t++)
        if ((mono >> t) & 1) v &= (unsigned)(i >> t) & 1;
    return v;
}

void ora_rm_encode_monomial(unsigned m, unsigned r, const uint8_t *msg, size_t frames, uint8_t *bits)
{
    const size_t n = (size_t)1 << m;
    uint32_t *mono = malloc(n * sizeof *mono);
    if (!mono) abort();
    const size_t k = ora_rm_monomials(m, r, mono);
    for (size_t f = 0; f < frames; f++)
        for (size_t i = 0; i < n; i++) {
            unsigned c = 0;
            for (size_t t = 0; t < k; t++)
                if (msg[f * k + t] & 1) c ^= monomial_at(mono[t], i);
            bits[f * n + i] = (uint8_t)c;
        }
    free(mono);
}

int ora_polar_encode_gen(unsigned log2n, const uint8_t *frozen, const uint8_t *msg, size_t frames,
                         uint8_t *bits)
{
    const size_t n = (size_t)1 << log2n;
    uint8_t *g = calloc(n * n, 1), *t = calloc(n * n, 1);
    if (!g || !t) {
        free(g);
        free(t);
        return -1;
    }
    g[0] = 1;
    for (size_t len = 1; len < n; len *= 2) { /* G (len x len) -> [[G, 0], [G, G]] */
        memset(t, 0, 4 * len * len);
        for (size_t a = 0; a < len; a++)
            for (size_t b = 0; b < len; b++) {
                const uint8_t v = g[a * len + b];
                t[a * 2 * len + b] = v;
                t[(len + a) * 2 * len + b] = v;
                t[(len + a) * 2 * len + len + b] = v;
            }
        memcpy(g, t, 4 * len * len);
    }
    size_t K = 0;
    for (size_t i = 0; i < n; i++) K += frozen[i] == 0;
    for (size_t f = 0; f < frames; f++) {
        uint8_t *x = bits + f * n;
        memset(x, 0, n);
        size_t q = 0;
        for (size_t row = 0; row < n; row++) {
            if (frozen[row]) continue;
            if (msg[f * K + q++] & 1)
                for (size_t i = 0; i < n; i++) x[i] ^= g[row * n + i];
        }
    }
    free(g);
    free(t);
    return 0;
}

/* ---- Gaussian approximation ----------------------------------------------------------------- */

static long double log_phi(long double t)
{
    if (t < 0.867861L) return 0.0564L * t * t - 0.4856L * t;
    return -0.4527L * powl(t, 0.86L) + 0.0218L;
}

/* log(1 - (1 - phi)^2) from log phi, accurate at both ends. */
static long double log_combine(long double lp)
{
    const long double p = expl(lp);
    if (p < 0.5L) return lp + logl(2.0L - p);
    const long double q = -expm1l(lp);
    return log1pl(-q * q);
}

/* The t' in [0, t] with log phi(t') = ly (phi is decreasing on [0, inf)), by bisection to the last
 * bit of long double. */
static long double inv_log_phi(long double ly, long double t)
{
    long double lo = 0.0L, hi = t;
    if (ly >= 0.0L) return 0.0L;
    for (int it = 0; it < 20000; it++) {
        const long double mid = lo + (hi - lo) / 2;
        if (mid <= lo || mid >= hi) break;
        if (log_phi(mid) > ly) lo = mid;
        else hi = mid;
    }
    return (lo + hi) / 2;
}

void ora_polar_ga_means(unsigned log2n, long double sigma, long double *z)
{
    z[0] = 2.0L / (sigma * sigma);
    for (unsigned lev = 0; lev < log2n; lev++)
        for (size_t j = ((size_t)1 << lev); j-- > 0;) {
            const long double t = z[j];
            z[2 * j] = t > 0 ? inv_log_phi(log_combine(log_phi(t)), t) : 0.0L;
            z[2 * j + 1] = 2 * t;
        }
}

void ora_polar_bhattacharyya(unsigned log2n, long double sigma, long double *z)
{
    z[0] = expl(-1.0L / (2.0L * sigma * sigma));
    for (unsigned lev = 0; lev < log2n; lev++)
        for (size_t j = ((size_t)1 << lev); j-- > 0;) {
            const long double v = z[j];
            z[2 * j] = 2 * v - v * v;
            z[2 * j + 1] = v * v;
        }
}

long double ora_polar_select(const long double *rel, size_t n, size_t K, uint8_t *frozen)
{
    long double kth = 0, next = 0;
    for (size_t i = 0; i < n; i++) {
        size_t ahead = 0;
        for (size_t j = 0; j < n; j++) ahead += rel[j] > rel[i] || (rel[j] == rel[i] && j > i);
        frozen[i] = ahead >= K;
        if (K > 0 && ahead == K - 1) kth = rel[i];
        if (ahead == K) next = rel[i];
    }
    if (K == 0 || K == n) return INFINITY;
    const long double den = fabsl(kth) > 0x1p-16000L ? fabsl(kth) : 0x1p-16000L;
    return (kth - next) / den;
}
