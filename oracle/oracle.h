/* Oracles: independent, higher-precision computations of what every kernel must output.
 * They share no code with ref/ or fast/ (only the input conventions) and favour obvious
 * correctness over speed: long double with compensated (TwoSum) arithmetic, or exact integers.
 * Golden files store their results; ref is judged against them exactly like fast is. */
#ifndef REFAST_ORACLE_H
#define REFAST_ORACLE_H

#include <stddef.h>
#include <stdint.h>

/* A long double carried with its rounding error: value = hi + lo, |lo| <= ulp(hi)/2. */
typedef struct ora_dd {
    long double hi, lo;
} ora_dd;

ora_dd ora_dd_add(ora_dd a, ora_dd b);
ora_dd ora_dd_from(long double x);
ora_dd ora_dd_neg(ora_dd a);
long double ora_dd_value(ora_dd a);

/* Unnormalised Walsh–Hadamard transform of n = 2^log2n values in double-long-double arithmetic
 * (exact to ~2^-120 relative to sum|x|). Non-finite inputs: plain long double IEEE arithmetic,
 * whose NaN/inf pattern does not depend on the summation order. out has n entries. */
void ora_fht(const float *x, unsigned log2n, long double *out);

/* Sum of |x_i|. */
long double ora_abs_sum(const float *x, size_t n);

#endif
