/* The streaming estimate of the score tensors over any number of chunks (refast/moe_moments.h has
 * the kernels it calls and their summation contract). */
#ifndef REFAST_LIB_MOE_TACC_H
#define REFAST_LIB_MOE_TACC_H

#include <stddef.h>
#include <stdint.h>

#include "refast/moe_moments.h"

/* Streaming estimate of T_order (order 2, 3 or 4) over any number of chunks of samples (n up to
 * 10^8 and beyond without holding them): chunk sums from the dispatching kernel are combined
 * pairwise (a binary counter of partial sums), so the summation depth stays O(log n).
 * rf_moe_tacc_mean writes (1/n) sum w_i S_m(x_i), packed. */
typedef struct rf_moe_tacc {
    unsigned order;
    size_t d, size;
    uint64_t n;
    unsigned levels;     /* partial sums in use */
    double *partial[64]; /* partial[l] sums 2^l chunks (NULL when empty) */
    uint64_t chunks;
    double *scratch;
} rf_moe_tacc;

int rf_moe_tacc_init(rf_moe_tacc *acc, unsigned order, size_t d); /* 0, or -1 (bad d / memory) */
void rf_moe_tacc_add(rf_moe_tacc *acc, const double *x, const double *w, size_t n);
void rf_moe_tacc_mean(const rf_moe_tacc *acc, double *out);
void rf_moe_tacc_free(rf_moe_tacc *acc);

#endif
