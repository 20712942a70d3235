/* Fast Walsh–Hadamard transform (SPEC §5.1), float, unnormalised, natural (Hadamard) order,
 * in place: W(a) = sum_i l_i (-1)^popcount(a & i), for n = 2^log2n, 1 <= log2n <= 20.
 *
 * Each output is a sum of n terms +-l_i, so its error scale is S = sum_i |l_i| (the same for every
 * output of a vector). Non-finite inputs propagate as IEEE arithmetic does (an output that sums
 * +inf and -inf terms is NaN whatever the order); finite inputs whose partial sums overflow give
 * order-dependent infinities and are outside the contract. Any length (2^log2n) and alignment.
 */
#ifndef REFAST_FHT_H
#define REFAST_FHT_H

#include <stddef.h>

#include "refast/kernel.h"

#define RF_FHT_MAX_LOG2N 20

/* fht_f32: one vector of 2^log2n floats, in place. fht_f32_batch: `count` vectors stored back to
 * back (vector v at x + v * 2^log2n), in place. */
#define RF_KERNELS_FHT(X)                                                                        \
    X(fht_f32, HAND, NONE, VOID, (float *x, unsigned log2n), (x, log2n))                         \
    X(fht_f32_batch, HAND, NONE, VOID, (float *x, unsigned log2n, size_t count), (x, log2n, count))
RF_DECLARE_KERNELS(RF_KERNELS_FHT)

#endif
