/* The streaming score-tensor estimate (lib/moe/tacc.h): chunk sums from the dispatching moment
 * kernels, combined pairwise. */
#include "moe/tacc.h"

#include <stdlib.h>
#include <string.h>

#include "moe_sums.h"

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
    if (acc->order == 2) rf_moe_t2_sum_f64(x, w, n, acc->d, acc->scratch);
    else if (acc->order == 3) rf_moe_t3_sum_f64(x, w, n, acc->d, acc->scratch);
    else rf_moe_t4_sum_f64(x, w, n, acc->d, acc->scratch);
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
