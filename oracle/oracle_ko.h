/* Oracle of the KO(m,2) encoder and decoder (refast/ko.h; ko-reference/README.md §4): a straight
 * long double transcription of the authors' computation, independent of ref/ and fast/ (it shares
 * only the model layout of refast/ko.h and the SELU of oracle_ko_mlp.h).
 *
 * Encoder, with a first-order error bound. Every value v of the tree carries E(v), a bound on
 * |fl(v) - v| / u for ANY float evaluation of the same formulas (u = 2^-24), propagated forwards:
 *  - leaves (+-1 by the RM encoder): E = 0 (exact);
 *  - an MLP block, per unit, in the notation of oracle_ko_mlp.h: the pre-activation z = W a + b of
 *    a layer with n inputs has A = |W| S + |b| (S = magnitudes of the inputs) and
 *    E(z) = |W| E(a) + (n + 1) A (any summation order, with or without FMA); a SELU layer gives
 *    E = Lip (E(z) + c_s A) and S = Lip A, Lip = lambda alpha, c_s = 8 (2 e_x + 2 with the 3-ulp
 *    expm1 of kernels/registry/ko.c); the output layer gives E(z) itself. This is the per-unit form
 *    of the block bound tau u S of oracle_ko_mlp.h (where every unit is bounded by the worst one);
 *  - c = g + u v (v = +-1, so u v is exact): E(c) = E(g) + E(u) + |c|;
 *  - root normalisation x_j = c_j s, s = sqrt(n) / ||c||: a relative error of ||c|| of at most
 *    rho u, rho = sum_i |c_i| E(c_i) / ||c||^2 + ceil(log2 n) + 2 (the propagated errors of c plus
 *    a pairwise or wider-precision sum of squares and the square root), then the scale's division
 *    and rounding and the product (3 roundings): E(x_j) = s E(c_j) + |x_j| (rho + 3).
 * These are worst cases to first order in u; no tie or branch makes the encoder discontinuous
 * (SELU is continuous), so the bound holds whatever the evaluation order.
 *
 * Decoder, with a measured sensitivity. The decoder is a continuous function of y (max, min, |.|,
 * the min-sum sign * min and tanh are all continuous; the one exception, an info LLR exactly 0
 * left out of the min-sum, is a set of measure zero), but its worst-case first-order bound grows
 * with the product of the blocks' gains over the tree and says nothing useful. So the oracle also
 * runs in "perturbed" mode: every rounding a float evaluation performs (each product and sum of
 * an MLP dot product, each SELU, LSE, butterfly of the transform, soft re-encoding, skip
 * connection and enumeration correlation) multiplies its exact long double result by (1 + eps r),
 * r uniform in [-1, 1] from a counter-based stream (seeded per run). With eps = u this emulates
 * one float evaluation with random rounding errors; the registry derives S from several such runs.
 *
 * Non-finite values follow IEEE long double arithmetic (what a float evaluation of the same
 * formulas gives is stated by the registry's fuzz rules, kernels/registry/ko_codec.c).
 */
#ifndef REFAST_ORACLE_KO_H
#define REFAST_ORACLE_KO_H

#include <stddef.h>
#include <stdint.h>

#include "refast/ko.h"

/* Codewords of `frames` messages (frames x k(m,2) bits, 0/1) -> x (frames x 2^m) and the bound
 * E(x) in units of u (above). */
void ora_ko_encode(const rf_ko_model *mdl, const uint8_t *msg, size_t frames, long double *x,
                   long double *bound);

/* LLRs of `frames` received vectors (frames x 2^m) -> llr (frames x k(m,2)). eps = 0: the exact
 * oracle; eps > 0: the perturbed run number `run` (deterministic for a given run). Returns -1 when
 * out of memory, else 0. */
int ora_ko_decode(const rf_ko_model *mdl, const float *y, size_t frames, long double eps,
                  uint64_t run, long double *llr);

#endif
