/* MAP and Soft-MAP of RM(m,1), scalar reference (SPEC §5.1, seed 004 eqs. C.2, C.4, C.6).
 *
 * One FHT per frame gives W(a) = <l, s_(0,a)>, the correlation of the LLRs with the BPSK image of
 * codeword (b0 = 0, linear part a); codeword (1, a) has correlation -W(a). Everything else reads
 * W directly:
 *   MAP:    a* = first argmax |W(a)| (strict > in index order, so NaN never wins), b0 = [W(a*) < 0].
 *   maxlog: eq. C.6, the best correlation with the bit 0 minus the best with the bit 1.
 *   exact:  eq. C.4 with the corrected 2 sigma^2 (SPEC §9): LSE over the codewords of <l,s_c>/2
 *           with the bit 0 minus the same with the bit 1; each LSE is max + log(sum exp(x - max)),
 *           the sum pairwise so that its rounding depth is O(log n).
 */
#include <math.h>
#include <stdlib.h>

#include "refast/fht.h"
#include "refast/softmap.h"
#include "lse.h"

/* Scratch up to this many floats per array lives on the stack; larger codes use the heap. */
#define STACK_FLOATS 4096

static int all_finite(const float *w, size_t n)
{
    for (size_t a = 0; a < n; a++)
        if (!isfinite(w[a])) return 0;
    return 1;
}

/* W = FHT(llr) into w (n floats). */
static void transform(const float *llr, unsigned m, float *w)
{
    const size_t n = (size_t)1 << m;
    for (size_t i = 0; i < n; i++) w[i] = llr[i];
    RF_REF(fht_f32)(w, m);
}

void RF_REF(rm1_map)(const float *llr, unsigned m, size_t frames, uint8_t *bits)
{
    if (m < 1 || m > RF_RM1_MAX_M || frames == 0) return;
    const size_t n = (size_t)1 << m;
    float stack_w[STACK_FLOATS];
    float *w = n <= STACK_FLOATS ? stack_w : malloc(n * sizeof *w);
    for (size_t f = 0; f < frames; f++) {
        uint8_t *b = bits + f * (m + 1);
        if (!w) {
            for (unsigned j = 0; j <= m; j++) b[j] = 0xff;
            continue;
        }
        transform(llr + f * n, m, w);
        size_t best = 0;
        float best_abs = -1.0f; /* below every |W|, so the first non-NaN value is taken */
        for (size_t a = 0; a < n; a++)
            if (fabsf(w[a]) > best_abs) {
                best_abs = fabsf(w[a]);
                best = a;
            }
        b[0] = w[best] < 0.0f;
        for (unsigned j = 0; j < m; j++) b[j + 1] = (best >> j) & 1;
    }
    if (w != stack_w) free(w);
}

static void fill_nan(float *o, unsigned k)
{
    for (unsigned j = 0; j < k; j++) o[j] = NAN;
}

void RF_REF(rm1_softmap_maxlog)(const float *llr, unsigned m, size_t frames, float *out)
{
    if (m < 1 || m > RF_RM1_MAX_M || frames == 0) return;
    const size_t n = (size_t)1 << m;
    float stack_w[STACK_FLOATS];
    float *w = n <= STACK_FLOATS ? stack_w : malloc(n * sizeof *w);
    for (size_t f = 0; f < frames; f++) {
        float *o = out + f * (m + 1);
        if (!w) {
            fill_nan(o, m + 1);
            continue;
        }
        transform(llr + f * n, m, w);
        if (!all_finite(w, n)) {
            fill_nan(o, m + 1);
            continue;
        }
        /* b0: codewords (0,a) correlate W(a), codewords (1,a) correlate -W(a). */
        float hi = w[0], lo = w[0];
        for (size_t a = 1; a < n; a++) {
            if (w[a] > hi) hi = w[a];
            if (w[a] < lo) lo = w[a];
        }
        o[0] = hi - (-lo);
        /* b_{j+1} = bit j of a; both signs of W(a) are codewords, so the best is |W(a)|. */
        for (unsigned j = 0; j < m; j++) {
            float best0 = 0.0f, best1 = 0.0f;
            for (size_t a = 0; a < n; a++) {
                const float x = fabsf(w[a]);
                if ((a >> j) & 1) {
                    if (x > best1) best1 = x;
                } else if (x > best0) {
                    best0 = x;
                }
            }
            o[j + 1] = best0 - best1;
        }
    }
    if (w != stack_w) free(w);
}

void RF_REF(rm1_softmap_exact)(const float *llr, unsigned m, size_t frames, float *out)
{
    if (m < 1 || m > RF_RM1_MAX_M || frames == 0) return;
    const size_t n = (size_t)1 << m;
    float stack_w[STACK_FLOATS], stack_t[STACK_FLOATS];
    float *w = stack_w, *t = stack_t;
    if (n > STACK_FLOATS) {
        w = malloc(n * sizeof *w);
        t = malloc(n * sizeof *t);
    }
    for (size_t f = 0; f < frames; f++) {
        float *o = out + f * (m + 1);
        if (!w || !t) {
            fill_nan(o, m + 1);
            continue;
        }
        transform(llr + f * n, m, w);
        if (!all_finite(w, n)) {
            fill_nan(o, m + 1);
            continue;
        }
        /* b0 = 0: the n codewords (0,a) with <l,s>/2 = W(a)/2; b0 = 1: the (1,a), -W(a)/2. */
        for (size_t a = 0; a < n; a++) t[a] = w[a] / 2;
        float l0 = lse(t, n);
        for (size_t a = 0; a < n; a++) t[a] = -w[a] / 2;
        float l1 = lse(t, n);
        o[0] = l0 - l1;
        /* b_{j+1} = h: the n codewords (b0, a) with bit_j(a) = h, correlations +-W(a)/2. */
        for (unsigned j = 0; j < m; j++) {
            float l[2];
            for (int h = 0; h < 2; h++) {
                size_t c = 0;
                for (size_t a = 0; a < n; a++)
                    if ((int)((a >> j) & 1) == h) {
                        t[c++] = w[a] / 2;
                        t[c++] = -w[a] / 2;
                    }
                l[h] = lse(t, c);
            }
            o[j + 1] = l[0] - l[1];
        }
    }
    if (w != stack_w) free(w);
    if (t != stack_t) free(t);
}
