/* Score-tensor moments (refast/moe_moments.h): packed index functions, the dispatching entry
 * points, the streaming accumulator, and the helpers the vector levels and the openblas peers
 * share (pairwise partial sums, the Hermite corrections). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "refast/moe_moments.h"
#include "refast/registry.h"

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

/* ---- dispatch ----------------------------------------------------------------------------------- */

static rf_moe_tsum_fn impl(size_t which)
{
    return (rf_moe_tsum_fn)rf_kernel_impl(rf_family_moe_moments[which], rf_isa_current(), NULL);
}

void rf_moe_t2_sum(const double *x, const double *w, size_t n, size_t d, double *out)
{
    impl(0)(x, w, n, d, out);
}

void rf_moe_t3_sum(const double *x, const double *w, size_t n, size_t d, double *out)
{
    impl(1)(x, w, n, d, out);
}

void rf_moe_t4_sum(const double *x, const double *w, size_t n, size_t d, double *out)
{
    impl(2)(x, w, n, d, out);
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

/* ---- streaming accumulator ---------------------------------------------------------------------- */

static size_t order_size(unsigned order, size_t d)
{
    return order == 2 ? rf_sym2_size(d) : order == 3 ? rf_sym3_size(d) : rf_sym4_size(d);
}

int rf_moe_tacc_init(rf_moe_tacc *acc, unsigned order, size_t d)
{
    memset(acc, 0, sizeof *acc);
    if (order < 2 || order > 4 || d == 0) return -1;
    if (d > (order == 4 ? RF_MOE_T4_MAX_D : RF_MOE_T3_MAX_D)) return -1;
    acc->order = order;
    acc->d = d;
    acc->size = order_size(order, d);
    acc->scratch = malloc(acc->size * sizeof *acc->scratch);
    return acc->scratch ? 0 : -1;
}

/* A chunk sum is one more leaf of the pairwise tree: the same binary counter as
 * rf_moe_pairwise (partial[l] holds the sum of 2^l chunks, lower levels the more recent). */
void rf_moe_tacc_add(rf_moe_tacc *acc, const double *x, const double *w, size_t n)
{
    if (n == 0 || !acc->scratch) return;
    if (acc->order == 2) rf_moe_t2_sum(x, w, n, acc->d, acc->scratch);
    else if (acc->order == 3) rf_moe_t3_sum(x, w, n, acc->d, acc->scratch);
    else rf_moe_t4_sum(x, w, n, acc->d, acc->scratch);
    rf_moe_pairwise p;
    p.size = acc->size;
    p.count = acc->chunks;
    memcpy(p.level, acc->partial, sizeof p.level);
    if (rf_moe_pairwise_push(&p, acc->scratch) != 0) {
        /* Out of memory: poison the estimate rather than drop samples silently. */
        rf_moe_fill_nan(acc->scratch, acc->size);
        free(acc->scratch);
        acc->scratch = NULL;
        return;
    }
    memcpy(acc->partial, p.level, sizeof p.level);
    acc->chunks = p.count;
    unsigned levels = 0;
    while (levels < 64 && acc->partial[levels]) levels++;
    acc->levels = levels;
    acc->n += n;
}

void rf_moe_tacc_mean(const rf_moe_tacc *acc, double *out)
{
    if (!acc->scratch) {
        rf_moe_fill_nan(out, acc->size);
        return;
    }
    rf_moe_pairwise p;
    p.size = acc->size;
    p.count = acc->chunks;
    memcpy(p.level, acc->partial, sizeof p.level);
    rf_moe_pairwise_result(&p, out);
    if (acc->n == 0) return; /* no samples: zeros */
    const double inv = 1.0 / (double)acc->n;
    for (size_t k = 0; k < acc->size; k++) out[k] *= inv;
}

void rf_moe_tacc_free(rf_moe_tacc *acc)
{
    for (unsigned l = 0; l < 64; l++) free(acc->partial[l]);
    free(acc->scratch);
    memset(acc, 0, sizeof *acc);
}
