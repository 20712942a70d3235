/* Polar successive-cancellation decoder, scalar reference (SPEC §5.1 "Polar SC decoder").
 *
 * Arikan's layout, the recursion written out: a node of n = 2^j LLRs has halves L1 (carrying
 * x_a XOR x_b) and L2 (carrying x_b);
 *   L_a = f(L1, L2)               decode the first half of u  -> codeword x_a
 *   L_b = L2 + (1 - 2 x_a) L1     decode the second half of u -> codeword x_b
 *   x   = (x_a XOR x_b, x_b)
 * and a leaf (n = 1) decides u = 0 if frozen, else [L < 0].
 *
 * Exact rules every level reproduces (they fix the outputs on zeros, infinities and NaN):
 *   leaf      [L < 0]: +0, -0 and NaN (of either sign) decide 0.
 *   minsum    magnitude (|a| < |b|) ? |a| : |b| (so a NaN in b gives NaN, a NaN only in a gives
 *             |b|: the x86 MINPS rule), negated iff exactly one of a < 0, b < 0. The sign is read
             by comparison, never from the sign bit: the sign of a NaN differs between machines
             (x86's default NaN is negative, AArch64's positive) and the sign of a zero never
             matters to a decision, so this makes every output independent of both.
 *   exact     minsum(a, b) + log1pf(expf(-|a + b|)) - log1pf(expf(-|a - b|)), in that order.
 *   g         x_a ? L2 - L1 : L2 + L1 (identical to L2 + (1 - 2 x_a) L1 in IEEE arithmetic).
 * Infinities follow IEEE (inf - inf = NaN in g, then NaN propagates by the rules above).
 */
#include <math.h>
#include <stdlib.h>

#include "refast/codes.h"
#include "refast/decoders.h"

float RF_REF(polar_f_minsum)(float a, float b);
float RF_REF(polar_f_exact)(float a, float b);

float RF_REF(polar_f_minsum)(float a, float b)
{
    float aa = fabsf(a), ab = fabsf(b);
    float m = aa < ab ? aa : ab;
    return ((a < 0.0f) != (b < 0.0f)) ? -m : m;
}

float RF_REF(polar_f_exact)(float a, float b)
{
    float s = RF_REF(polar_f_minsum)(a, b);
    return s + log1pf(expf(-fabsf(a + b))) - log1pf(expf(-fabsf(a - b)));
}

typedef struct sc_state {
    const uint8_t *frozen; /* of the whole code */
    int f;
    float *scratch;        /* n/2 + n/4 + ... + 1 floats */
    uint8_t *msg;          /* next message bit to write */
} sc_state;

/* Decodes the node whose LLRs are L (n = 2^log2n of them) and whose leaves are u[first..first+n);
 * writes its codeword into x. scratch holds this node's child LLRs, deeper nodes use what follows. */
static void sc_node(sc_state *s, unsigned log2n, size_t first, const float *L, float *scratch, uint8_t *x)
{
    if (log2n == 0) {
        uint8_t u = 0;
        if (!s->frozen[first]) {
            u = L[0] < 0.0f;
            *s->msg++ = u;
        }
        x[0] = u;
        return;
    }
    const size_t h = (size_t)1 << (log2n - 1);
    float *child = scratch;
    for (size_t i = 0; i < h; i++)
        child[i] = s->f == RF_F_MINSUM ? RF_REF(polar_f_minsum)(L[i], L[i + h])
                                       : RF_REF(polar_f_exact)(L[i], L[i + h]);
    sc_node(s, log2n - 1, first, child, scratch + h, x);
    for (size_t i = 0; i < h; i++) child[i] = x[i] ? L[i + h] - L[i] : L[i + h] + L[i];
    sc_node(s, log2n - 1, first + h, child, scratch + h, x + h);
    for (size_t i = 0; i < h; i++) x[i] ^= x[i + h];
}

void RF_REF(polar_sc)(unsigned log2n, const uint8_t *frozen, int f, const float *llr, size_t frames,
                      uint8_t *msg)
{
    if (log2n > RF_RM_MAX_M || frames == 0) return;
    const size_t n = (size_t)1 << log2n;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += !frozen[i];
    float *scratch = malloc(n * sizeof *scratch);
    uint8_t *x = malloc(n);
    if (!scratch || !x) {
        free(scratch);
        free(x);
        return;
    }
    for (size_t fr = 0; fr < frames; fr++) {
        sc_state s = {frozen, f, scratch, msg + fr * k};
        sc_node(&s, log2n, 0, llr + fr * n, scratch, x);
    }
    free(scratch);
    free(x);
}
