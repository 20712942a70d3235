/* int8 polar SC oracle (oracle.h ora_polar_sc_i8). A different computation from ref/polar_sc_i8.c:
 * no stored partial sums; each leaf's LLR is recomputed from the channel along its own path down
 * the tree (f towards a first half, g towards a second half, with x_a = the first half's codeword
 * from its decided u by the subset definition of F^{(x)n}), in int with the clamp after every
 * operation. O(N^2) per frame. */
#include <stdlib.h>
#include <string.h>

#include "oracle.h"

static int clamp127(int v)
{
    return v > 127 ? 127 : v < -127 ? -127 : v;
}

static int f_minsum(int a, int b)
{
    const int m = abs(a) < abs(b) ? abs(a) : abs(b);
    return (a < 0) != (b < 0) ? -m : m;
}

/* LLR of leaf i of the node with LLRs L (2^log2n), its decided u[0..i) read. scratch: 2^log2n ints,
 * xs 2^log2n bytes, both consumed down the path. */
static int leaf_llr(const int *L, unsigned log2n, const uint8_t *u, size_t i, int *scratch, uint8_t *xs)
{
    if (log2n == 0) return L[0];
    const size_t h = (size_t)1 << (log2n - 1);
    if (i < h) {
        for (size_t k = 0; k < h; k++) scratch[k] = f_minsum(L[k], L[k + h]);
        return leaf_llr(scratch, log2n - 1, u, i, scratch + h, xs);
    }
    ora_polar_encode(log2n - 1, u, xs);
    for (size_t k = 0; k < h; k++) scratch[k] = clamp127(xs[k] ? L[k + h] - L[k] : L[k + h] + L[k]);
    return leaf_llr(scratch, log2n - 1, u + h, i - h, scratch + h, xs + h);
}

int ora_polar_sc_i8(unsigned log2n, const uint8_t *frozen, const int8_t *llr, uint8_t *msg)
{
    const size_t n = (size_t)1 << log2n;
    int *L = malloc(n * sizeof *L), *scratch = malloc(n * sizeof *scratch);
    uint8_t *u = malloc(n), *xs = malloc(n);
    if (!L || !scratch || !u || !xs) {
        free(L);
        free(scratch);
        free(u);
        free(xs);
        return -1;
    }
    for (size_t i = 0; i < n; i++) L[i] = clamp127(llr[i]);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        u[i] = frozen[i] ? 0 : leaf_llr(L, log2n, u, i, scratch, xs) < 0;
        if (!frozen[i]) msg[k++] = u[i];
    }
    free(L);
    free(scratch);
    free(u);
    free(xs);
    return 0;
}
