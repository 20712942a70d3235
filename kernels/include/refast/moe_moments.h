/* Score-tensor moments of SPEC §5.2 for x ~ N(0, I), double precision: the hot loop of seed 001
 * Algorithm 1 (T2, T3) and seed 003 (T4).
 *
 * Each kernel returns the UNNORMALISED sum over n samples  sum_i w_i S_m(x_i)  (divide by n for
 * the estimate T_m; the streaming accumulator below does), where w_i is the transformed output
 * (P2(y_i), P3(y_i) or Q4(y_i)) and S_m the Hermite score tensor:
 *   S2(x)_ab   = x_a x_b - d_ab
 *   S3(x)_abc  = x_a x_b x_c - x_a d_bc - x_b d_ac - x_c d_ab
 *   S4(x)_abce = x_a x_b x_c x_e - (x_a x_b d_ce + 5 other pairings) + (d_ab d_ce + d_ac d_be + d_ae d_bc)
 * computed as weighted raw moments (sum w x^{(x)m}, sum w x^{(x)m-2}, sum w) plus the correction
 * terms, never term by term.
 *
 * Layout: x is row-major n x d (sample i at x + i*d), any alignment. Outputs are packed symmetric,
 * lexicographic over a <= b [<= c [<= e]]: sizes d(d+1)/2, C(d+2,3), C(d+3,4); the output is
 * overwritten. Limits: d <= 256 for T2/T3, d <= 64 for T4; n any (0 gives zeros).
 *
 * Summation (the `sum` class of SPEC §3): samples are taken in blocks of RF_MOE_BLOCK consecutive
 * samples; within a block a level may accumulate in any order (ref and the vector levels add the
 * samples one after the other), and block sums are combined pairwise (a binary counter: ref over
 * blocks, the vector levels pairwise over the blocks of a panel, then pairwise over panels). Every
 * raw-moment entry is therefore a summation tree of depth <= RF_MOE_BLOCK + ceil(log2 n) + 3; each
 * term is a product with at most 4 roundings, and the correction terms add at most 7 more, so
 *   |got - exact| <= (RF_MOE_BLOCK + ceil(log2 n) + 14) u S   (to first order),
 * S = the sum of |every term| of that entry, corrections included (the oracle's scale). The
 * registry uses tau = RF_MOE_TAU, which covers n <= 2^18 samples (every golden and fuzz case).
 *
 * NaN and infinity: every entry is, in IEEE arithmetic, the sum of its terms -- the products
 * w_i x_ia x_ib x_ic [x_ie] and the correction terms -w_i x_ia (where d_bc = 1), ..., +w_i -- and
 * a correction enters only where its Kronecker delta is 1 (never as a product with 0). So an entry
 * is NaN when one of its terms is NaN (a NaN factor, or inf times 0) or when it has terms +inf and
 * -inf, +-inf when its infinite terms all have that sign, and finite otherwise. This does not
 * depend on the summation order or on the order of the factors of a product, as long as finite
 * products neither overflow nor underflow to zero and finite partial sums do not overflow (true
 * when every finite non-zero |x| and |w| lies in [2^-150, 2^150]); so every level, the openblas
 * peer and the oracle put NaN and infinities in exactly the same entries. A non-finite sample thus
 * reaches the raw entries that involve its non-finite coordinate (or all entries, for a non-finite
 * w) and, through the corrections, the entries whose delta-terms use such a lower moment.
 * Outside that range (overflowing finite products) the result is unspecified.
 *
 * Memory: the pairwise combination keeps up to ceil(log2 n) + 2 partial tensors; the kernels
 * allocate them (and small per-call scratch) on the heap. If an allocation fails, the output is
 * filled with NaN.
 */
#ifndef REFAST_MOE_MOMENTS_H
#define REFAST_MOE_MOMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"

#define RF_MOE_T3_MAX_D 256
#define RF_MOE_T4_MAX_D 64
#define RF_MOE_BLOCK 64
/* The registry's `sum` tolerance: RF_MOE_BLOCK + 18 + 14 (see "Summation" above). */
#define RF_MOE_TAU 96.0

static inline size_t rf_sym2_size(size_t d) { return d * (d + 1) / 2; }
static inline size_t rf_sym3_size(size_t d) { return d * (d + 1) * (d + 2) / 6; }
static inline size_t rf_sym4_size(size_t d) { return d * (d + 1) * (d + 2) * (d + 3) / 24; }
/* The `openblas` peers compute the same sums through dgemm on the Khatri–Rao product (no
 * symmetry). */
#define RF_KERNELS_MOE_MOMENTS(X)                                                                \
    X(moe_t2_sum_f64, HAND, BLAS, VOID,                                                          \
      (const double *x, const double *w, size_t n, size_t d, double *out), (x, w, n, d, out))    \
    X(moe_t3_sum_f64, HAND, BLAS, VOID,                                                          \
      (const double *x, const double *w, size_t n, size_t d, double *out), (x, w, n, d, out))    \
    X(moe_t4_sum_f64, HAND, BLAS, VOID,                                                          \
      (const double *x, const double *w, size_t n, size_t d, double *out), (x, w, n, d, out))
RF_DECLARE_KERNELS(RF_KERNELS_MOE_MOMENTS)

#endif
