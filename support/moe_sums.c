/* Packed symmetric indices, pairwise partial sums and the Hermite corrections (support/moe_sums.h),
 * shared by ref, the vector levels and the openblas peers of the MoE kernels. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "moe_sums.h"

/* ---- packed indices ----------------------------------------------------------------------------
 * Lexicographic order over a <= b [<= c [<= e]]: the entries whose first index is below a are the
 * whole tensor minus the tensor of dimension d - a; the rest is the (order-1) tensor of dimension
 * d - a indexed from a. */
size_t rf_sym2_index(size_t d, size_t a, size_t b)
{
    return rf_sym2_size(d) - rf_sym2_size(d - a) + (b - a);
}

size_t rf_sym3_index(size_t d, size_t a, size_t b, size_t c)
{
    return rf_sym3_size(d) - rf_sym3_size(d - a) + rf_sym2_index(d - a, b - a, c - a);
}

size_t rf_sym4_index(size_t d, size_t a, size_t b, size_t c, size_t e)
{
    return rf_sym4_size(d) - rf_sym4_size(d - a) + rf_sym3_index(d - a, b - a, c - a, e - a);
}

/* ---- pairwise partial sums ---------------------------------------------------------------------- */

void rf_moe_pairwise_init(rf_moe_pairwise *p, size_t size)
{
    memset(p, 0, sizeof *p);
    p->size = size;
}

int rf_moe_pairwise_push(rf_moe_pairwise *p, const double *sum)
{
    /* Sum number `count` merges with the levels whose bit is set (older sums on the left), then
     * lands in the first empty level. Level l is kept allocated once used. */
    unsigned top = 0;
    while ((p->count >> top) & 1) top++;
    if (!p->level[top] && !(p->level[top] = malloc((p->size ? p->size : 1) * sizeof(double))))
        return -1;
    double *dst = p->level[top];
    if (top == 0) {
        memcpy(dst, sum, p->size * sizeof *dst);
    } else {
        /* level[top] is free: build (((level[top-1] + level[top-2]) + ...) + level[0]) + sum in
         * the order the counter defines: lower levels hold the more recent sums. */
        for (size_t k = 0; k < p->size; k++) {
            double carry = sum[k];
            for (unsigned l = 0; l < top; l++) carry = p->level[l][k] + carry;
            dst[k] = carry;
        }
    }
    p->count++;
    return 0;
}

int rf_moe_pairwise_result(const rf_moe_pairwise *p, double *out)
{
    bool have = false;
    for (unsigned l = 0; l < 64; l++) {
        if (!((p->count >> l) & 1)) continue;
        const double *src = p->level[l];
        for (size_t k = 0; k < p->size; k++) out[k] = have ? src[k] + out[k] : src[k];
        have = true;
    }
    if (!have) memset(out, 0, p->size * sizeof *out);
    return 0;
}

void rf_moe_pairwise_free(rf_moe_pairwise *p)
{
    for (unsigned l = 0; l < 64; l++) free(p->level[l]);
    memset(p, 0, sizeof *p);
}

/* ---- corrections -------------------------------------------------------------------------------- */

void rf_moe_fill_nan(double *out, size_t n)
{
    for (size_t k = 0; k < n; k++) out[k] = NAN;
}

void rf_moe_apply_corrections(unsigned order, size_t d, const double *lower, double *out)
{
    size_t k = 0;
    if (order == 2) {
        for (size_t a = 0; a < d; a++)
            for (size_t b = a; b < d; b++, k++)
                if (a == b) out[k] -= lower[0];
    } else if (order == 3) {
        for (size_t a = 0; a < d; a++)
            for (size_t b = a; b < d; b++)
                for (size_t c = b; c < d; c++, k++) {
                    if (b == c) out[k] -= lower[a];
                    if (a == c) out[k] -= lower[b];
                    if (a == b) out[k] -= lower[c];
                }
    } else {
        const double m0 = lower[0], *m2 = lower + 1;
        for (size_t a = 0; a < d; a++)
            for (size_t b = a; b < d; b++)
                for (size_t c = b; c < d; c++)
                    for (size_t e = c; e < d; e++, k++) {
                        if (c == e) out[k] -= m2[rf_sym2_index(d, a, b)];
                        if (b == e) out[k] -= m2[rf_sym2_index(d, a, c)];
                        if (b == c) out[k] -= m2[rf_sym2_index(d, a, e)];
                        if (a == e) out[k] -= m2[rf_sym2_index(d, b, c)];
                        if (a == c) out[k] -= m2[rf_sym2_index(d, b, e)];
                        if (a == b) out[k] -= m2[rf_sym2_index(d, c, e)];
                        const int pairs = (a == b && c == e) + (a == c && b == e) + (a == e && b == c);
                        if (pairs) out[k] += (double)pairs * m0;
                    }
    }
}
