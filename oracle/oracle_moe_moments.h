/* Oracle of the score-tensor moment sums (refast/moe_moments.h), independent of ref/ and fast/:
 * every entry of sum_i w_i S_m(x_i) is summed term by term -- the raw products w x_a x_b x_c
 * [x_e] and each correction term (-w x_a where a delta is 1, ..., +w) as separate terms -- in
 * long double, each term formed in long double and added in double-long-double (TwoSum)
 * arithmetic. Non-finite terms are tallied apart: an entry with a NaN term, or with terms +inf and
 * -inf, is NaN; one with infinite terms of one sign is that infinity (the IEEE sum of its terms in
 * any order). scale[k] = sum of |every term| of entry k (the `sum` class S), NaN/inf when a term
 * is. */
#ifndef REFAST_ORACLE_MOE_MOMENTS_H
#define REFAST_ORACLE_MOE_MOMENTS_H

#include <stddef.h>

/* order 2, 3 or 4; x row-major n x d, w n weights; want and scale packed (lexicographic a <= b ...).
 * Returns -1 when memory runs out, else 0. */
int ora_moe_tsum(unsigned order, const double *x, const double *w, size_t n, size_t d,
                 long double *want, long double *scale);

#endif
