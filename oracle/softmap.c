/* Oracle for MAP and Soft-MAP decoding: enumeration of every codeword, compensated long double.
 *
 * Nothing here uses a transform: each of the 2^k codewords is built from the generator matrix
 * and correlated with the LLRs term by term (TwoSum-compensated long double, so a correlation of
 * floats is exact to ~2^-64 relative to |corr| plus ~2^-108 sum|l|, and exact for integer
 * inputs). MAP, maxlog and exact LLRs
 * are then read off the 2^k correlations literally.
 */
#include <math.h>
#include <stdlib.h>

#include "oracle.h"

void ora_rm1_generator(unsigned m, uint8_t *gen)
{
    const size_t n = (size_t)1 << m;
    for (size_t i = 0; i < n; i++) {
        gen[i] = 1; /* b0 is added to every position */
        for (unsigned j = 0; j < m; j++) gen[(j + 1) * n + i] = (i >> j) & 1;
    }
}

int ora_rm1_correlations(const float *llr, size_t frames, unsigned m, long double *corr)
{
    const size_t n = (size_t)1 << m;
    long double *w = malloc(n * sizeof *w);
    if (!w) return -1;
    for (size_t f = 0; f < frames; f++) {
        ora_fht(llr + f * n, m, w);
        long double *c = corr + f * 2 * n;
        for (size_t a = 0; a < n; a++) {
            c[2 * a] = w[a];
            c[2 * a + 1] = -w[a];
        }
    }
    free(w);
    return 0;
}

int ora_code_correlations(const float *llr, size_t frames, size_t n, unsigned k,
                          const uint8_t *gen, long double *corr)
{
    const size_t msgs = (size_t)1 << k;
    uint8_t *cw = malloc(msgs * n);
    if (!cw) return -1;
    for (size_t u = 0; u < msgs; u++)
        for (size_t i = 0; i < n; i++) {
            uint8_t c = 0;
            for (unsigned r = 0; r < k; r++) c ^= (uint8_t)(((u >> r) & 1) & gen[r * n + i]);
            cw[u * n + i] = c;
        }
    for (size_t f = 0; f < frames; f++) {
        const float *l = llr + f * n;
        int finite = 1;
        for (size_t i = 0; i < n; i++) finite &= isfinite(l[i]) != 0;
        for (size_t u = 0; u < msgs; u++) {
            const uint8_t *c = cw + u * n;
            if (!finite) { /* plain IEEE sum: its NaN/inf pattern does not depend on the order */
                long double s = 0.0L;
                for (size_t i = 0; i < n; i++) s += c[i] ? -(long double)l[i] : (long double)l[i];
                corr[f * msgs + u] = s;
                continue;
            }
            /* TwoSum-compensated (Sum2 of Ogita, Rump and Oishi): error <= u|sum| +
             * (n u)^2 sum|l| with u = 2^-64, i.e. exact to well beyond float precision. */
            long double s = 0.0L, e = 0.0L;
            for (size_t i = 0; i < n; i++) {
                const long double x = c[i] ? -(long double)l[i] : (long double)l[i];
                const long double t = s + x, bb = t - s;
                e += (s - (t - bb)) + (x - bb);
                s = t;
            }
            corr[f * msgs + u] = s + e;
        }
    }
    free(cw);
    return 0;
}

int ora_corr_finite(const long double *corr, unsigned k)
{
    for (size_t u = 0; u < (size_t)1 << k; u++)
        if (!isfinite(corr[u])) return 0;
    return 1;
}

/* log sum exp over the messages u with bit i equal to h of scale * corr[u]. */
static long double class_lse(const long double *corr, unsigned k, unsigned i, unsigned h,
                             long double scale)
{
    long double mx = -INFINITY, s = 0.0L;
    for (size_t u = 0; u < (size_t)1 << k; u++)
        if (((u >> i) & 1) == h && scale * corr[u] > mx) mx = scale * corr[u];
    for (size_t u = 0; u < (size_t)1 << k; u++)
        if (((u >> i) & 1) == h) s += expl(scale * corr[u] - mx);
    return mx + logl(s);
}

static long double class_max(const long double *corr, unsigned k, unsigned i, unsigned h)
{
    long double mx = -INFINITY;
    for (size_t u = 0; u < (size_t)1 << k; u++)
        if (((u >> i) & 1) == h && corr[u] > mx) mx = corr[u];
    return mx;
}

void ora_softmap_from_corr(const long double *corr, unsigned k, int maxlog, long double *out)
{
    const int finite = ora_corr_finite(corr, k);
    for (unsigned i = 0; i < k; i++) {
        if (!finite) out[i] = NAN;
        else if (maxlog) out[i] = class_max(corr, k, i, 0) - class_max(corr, k, i, 1);
        else out[i] = class_lse(corr, k, i, 0, 0.5L) - class_lse(corr, k, i, 1, 0.5L);
    }
}

long double ora_rm1_map_from_corr(const long double *corr, unsigned m, uint8_t *bits)
{
    const size_t msgs = (size_t)2 << m;
    /* Messages in increasing order u = b0 + 2a: a first, then b0 = 0 before 1, which is the
     * lowest-index rule on |W(a)| (W(a) = corr[2a], corr[2a+1] = -W(a)); strict > from -inf, so
     * a NaN never wins and an all-NaN frame keeps u = 0. */
    size_t best = 0;
    long double best_corr = -INFINITY;
    for (size_t u = 0; u < msgs; u++)
        if (corr[u] > best_corr) {
            best_corr = corr[u];
            best = u;
        }
    for (unsigned j = 0; j <= m; j++) bits[j] = (best >> j) & 1;
    if (!ora_corr_finite(corr, m + 1)) return INFINITY;

    const size_t astar = best >> 1;
    long double top = fabsl(corr[2 * astar]), second = -INFINITY;
    for (size_t a = 0; a < msgs / 2; a++)
        if (a != astar && fabsl(corr[2 * a]) > second) second = fabsl(corr[2 * a]);
    long double gap = top - second;
    return gap < top ? gap : top;
}
