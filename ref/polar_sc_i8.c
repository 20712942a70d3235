/* Polar SC decoder on int8 LLRs, saturating fixed point, scalar reference (refast/decoders.h
 * polar_sc_i8). The recursion of ref/polar_sc.c with the float operations replaced by their exact
 * integer counterparts:
 *   read      L = max(llr, -127) (-128 is taken as -127: symmetric range, so |L| and -L exist)
 *   f(a, b)   sign(a) sign(b) min(|a|, |b|), the sign read by comparison (< 0) like the float
 *             minsum: negative iff exactly one of a < 0, b < 0
 *   g(a, b)   sat(x_a ? b - a : b + a), sat clamping to [-127, 127]
 *   leaf      frozen -> 0, else [L < 0] (0 decides 0)
 * Sums are taken in int before clamping, so the results are exact integers: every level must
 * reproduce them bit for bit.
 */
#include <stdlib.h>

#include "refast/codes.h"
#include "refast/decoders.h"

static int8_t sat127(int v)
{
    return (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
}

static int8_t f_minsum_i8(int8_t a, int8_t b)
{
    const int aa = a < 0 ? -a : a, ab = b < 0 ? -b : b;
    const int m = aa < ab ? aa : ab;
    return (int8_t)(((a < 0) != (b < 0)) ? -m : m);
}

typedef struct sc_i8_state {
    const uint8_t *frozen; /* of the whole code */
    uint8_t *msg;          /* next message bit to write */
} sc_i8_state;

/* Decodes the node whose LLRs are L (n = 2^log2n) and whose leaves are u[first..first+n); writes
 * its codeword into x. scratch holds this node's child LLRs, deeper nodes use what follows. */
static void sc_node(sc_i8_state *s, unsigned log2n, size_t first, const int8_t *L, int8_t *scratch, uint8_t *x)
{
    if (log2n == 0) {
        uint8_t u = 0;
        if (!s->frozen[first]) {
            u = L[0] < 0;
            *s->msg++ = u;
        }
        x[0] = u;
        return;
    }
    const size_t h = (size_t)1 << (log2n - 1);
    int8_t *child = scratch;
    for (size_t i = 0; i < h; i++) child[i] = f_minsum_i8(L[i], L[i + h]);
    sc_node(s, log2n - 1, first, child, scratch + h, x);
    for (size_t i = 0; i < h; i++) child[i] = sat127(x[i] ? L[i + h] - L[i] : L[i + h] + L[i]);
    sc_node(s, log2n - 1, first + h, child, scratch + h, x + h);
    for (size_t i = 0; i < h; i++) x[i] ^= x[i + h];
}

void RF_REF(polar_sc_i8)(unsigned log2n, const uint8_t *frozen, const int8_t *llr, size_t frames, uint8_t *msg)
{
    if (log2n > RF_RM_MAX_M || frames == 0) return;
    const size_t n = (size_t)1 << log2n;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += !frozen[i];
    int8_t *L = malloc(n), *scratch = malloc(n);
    uint8_t *x = malloc(n);
    if (!L || !scratch || !x) {
        free(L);
        free(scratch);
        free(x);
        return;
    }
    for (size_t fr = 0; fr < frames; fr++) {
        for (size_t i = 0; i < n; i++) L[i] = sat127(llr[fr * n + i]); /* -128 -> -127 */
        sc_i8_state s = {frozen, msg + fr * k};
        sc_node(&s, log2n, 0, L, scratch, x);
    }
    free(L);
    free(scratch);
    free(x);
}
