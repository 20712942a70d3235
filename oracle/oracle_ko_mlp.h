/* Oracle of the KO MLP block (refast/ko_mlp.h), independent of ref/ and fast/: long double
 * arithmetic (64-bit significand on x86, 113-bit on AArch64) and expm1l, so its own error is
 * below 2^-40 of the scale S and negligible against the float bound.
 *
 * Error scale S of each output (the `sum` class): magnitudes propagated through the layers,
 *   S_0 = |x|,   S_l = Lip (|W_l| S_(l-1) + |b_l|)   (l = 1 .. hidden_layers),
 *   S_out = |W_L| S_(L-1) + |b_L|,
 * Lip = lambda alpha = 1.7581 (the largest slope of SELU). Why this bounds a float evaluation
 * (first order in u): let K_l u S_l bound the error of a_l (K_0 = 0, the inputs are exact). The
 * pre-activation z = W a + b of a unit with n inputs, in any summation order with or without FMA,
 * errs by at most (n + 1) u (|W| S + |b|) + |W| K u S <= (n + 1 + K) u A, A = |W| S + |b|. SELU
 * has slope <= Lip, and its evaluation adds c_s u Lip A: lambda t rounds once, plus the rounding
 * of the float constant lambda (2 u lambda |t|); lambda alpha expm1(t) evaluated with an error of
 * e_x ulp (<= 2 e_x u relative), plus the rounding of the float constant lambda alpha and of the
 * product (or, in the fast levels, of lambda folded into the next layer's weights), gives
 * (2 e_x + 2) u lambda alpha |expm1 t| <= (2 e_x + 2) u Lip |t| since |expm1 t| <= |t| for t <= 0. So K_l = K_(l-1) + n_l + 1 + c_s and the output errs by at most
 *   tau u S_out,  tau = sum over layers (n_l + 1) + hidden_layers c_s.
 * For the largest block (4 -> 32 -> 32 -> 32 -> 1): sum (n_l + 1) = 5 + 33 + 33 + 33 = 104.
 * The value of c_s used by the registry is stated in kernels/registry/ko.c.
 * A non-finite input or weight gives NaN/inf as IEEE long double arithmetic does (propagated).
 */
#ifndef REFAST_ORACLE_KO_MLP_H
#define REFAST_ORACLE_KO_MLP_H

#include <stddef.h>

#include "refast/ko_mlp.h"

#define ORA_SELU_LAMBDA 1.0507009873554804934193349852946L
#define ORA_SELU_ALPHA 1.6732632423543772848170429916717L

/* selu in long double. */
long double ora_selu(long double t);

/* out[j] and scale[j] (S above) for every coordinate j < count; in as in refast/ko_mlp.h. */
void ora_ko_mlp(const rf_ko_mlp *net, const float *in, size_t count, long double *out,
                long double *scale);

#endif
