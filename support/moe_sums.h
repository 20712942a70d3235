/* Shared by every implementation of the MoE moment, EM and loss kernels (ref, the vector levels and
 * the openblas peers): packed symmetric indices, the pairwise partial sums that keep the summation
 * depth O(log n), and the Hermite corrections of the score tensors (refast/moe_moments.h). */
#ifndef REFAST_SUPPORT_MOE_SUMS_H
#define REFAST_SUPPORT_MOE_SUMS_H

#include <stddef.h>
#include <stdint.h>

#include "refast/moe_moments.h"

/* Packed offsets of (a <= b [<= c [<= e]]) in a tensor of dimension d. */
size_t rf_sym2_index(size_t d, size_t a, size_t b);
size_t rf_sym3_index(size_t d, size_t a, size_t b, size_t c);
size_t rf_sym4_index(size_t d, size_t a, size_t b, size_t c, size_t e);

/* rf_moe_pairwise: a binary counter of partial sums of arrays of `size` doubles. Push the sums in
 * order; rf_moe_pairwise_result combines what remains (low levels first) into out. Both return
 * -1 when memory runs out. */
typedef struct rf_moe_pairwise {
    size_t size;
    uint64_t count;
    double *level[64];
} rf_moe_pairwise;
void rf_moe_pairwise_init(rf_moe_pairwise *p, size_t size);
int rf_moe_pairwise_push(rf_moe_pairwise *p, const double *sum);
int rf_moe_pairwise_result(const rf_moe_pairwise *p, double *out);
void rf_moe_pairwise_free(rf_moe_pairwise *p);
/* Turns raw moments into the score-tensor sum in place: out holds sum w x^{(x)order} (packed) on
 * entry and sum w S_order(x) on return. lower = sum w (order 2), sum w x_a (order 3, d entries) or
 * {sum w, then sum w x_a x_b packed} (order 4). Subtracts exactly where the deltas are 1. */
void rf_moe_apply_corrections(unsigned order, size_t d, const double *lower, double *out);
/* Fills n doubles with NaN (the allocation-failure result). */
void rf_moe_fill_nan(double *out, size_t n);


#endif
