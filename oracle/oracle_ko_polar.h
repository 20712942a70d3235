/* Oracle of the authors' KO code on the Polar(64,7) tree (refast/ko_polar.h; ko-reference/README.md
 * §8) in long double, written from the README's formulas, independent of ref/ and fast/ (it shares
 * only the model layout of refast/ko_polar.h and the SELU of oracle_ko_mlp.h).
 *
 * Encoder, with a first-order error bound, as oracle_ko.h does for KO(m,2): every value carries
 * E(v), a bound on |fl(v) - v| / u for ANY float evaluation of the same formulas (u = 2^-24):
 *  - a dense layer z = W a + b with n inputs: A = |W| S + |b| (S the inputs' magnitudes),
 *    E(z) = |W| E(a) + (n + 1) A; a SELU layer: E = Lip (E(z) + c_s A), S = Lip A (Lip = lambda
 *    alpha, c_s = 8, the 3-ulp expm1 of the fast levels; oracle_ko_mlp.h derives both);
 *  - the g blocks' skip: the Plotkin product p = z_j z_(h+j) has E(p) = |z_j| E(z_(h+j)) +
 *    |z_(h+j)| E(z_j) + |p|, the skip layer is a dense layer without bias, and its sum with the
 *    second SELU layer adds both errors and one rounding;
 *  - the message inputs m = +-1 are exact;
 *  - the root c = (t, t) and x = c * 8 / ||c||: a relative error of ||c|| of at most rho u,
 *    rho = sum |c| E(c) / ||c||^2 + ceil(log2 32) + 3 (the propagated errors, a sum of squares of
 *    32 terms doubled, the square root), then the scale's division and the product:
 *    E(x_j) = s E(c_j) + |x_j| (rho + 3).
 * SELU is continuous and the encoder has no branch, so the bound holds for any evaluation order.
 * (It holds, but with trained weights it is loose by ~10 orders of magnitude: see the encoder.)
 *
 * Decoder, with a measured sensitivity (oracle_ko.h explains why): with eps > 0 every rounding a
 * float evaluation performs (each product and sum of a dense layer, each SELU, tanh, sign input,
 * the first fold t = y_a + y_b) multiplies its exact result by (1 + eps r), r uniform in [-1, 1]
 * from a counter-based stream seeded by `run`; the registry derives S from several such runs.
 * The decoder is continuous in y except where L3 or L4 changes sign (the encoder's g1_left is
 * applied to their signs); ora_ko_polar_decode reports, per frame, the smaller of |L3| and |L4| so
 * that a caller can refuse such near-ties.
 *
 * Non-finite values follow IEEE long double arithmetic.
 */
#ifndef REFAST_ORACLE_KO_POLAR_H
#define REFAST_ORACLE_KO_POLAR_H

#include <stddef.h>
#include <stdint.h>

#include "refast/ko_polar.h"

/* Codewords of `frames` messages (frames x 7 bits, 0/1) -> x (frames x 64, canonical positions)
 * and the bound E(x) in units of u (above). eps = 0: the exact oracle; eps > 0: the perturbed run
 * number `run`, as for the decoder (the first-order bound compounds the blocks' gains: with the
 * authors' trained weights it is ~1e10 times the actual error, so the registry measures the
 * sensitivity instead where the bound says nothing). */
void ora_ko_polar_encode(const rf_ko_polar_model *mdl, const uint8_t *msg, size_t frames, long double eps,
                         uint64_t run, long double *x, long double *bound);

/* LLRs of `frames` received vectors (frames x 64, canonical positions) -> llr (frames x 7) and,
 * when sign_margin != NULL, min(|L3|, |L4|) per frame. eps = 0: the exact oracle; eps > 0: the
 * perturbed run number `run` (deterministic). */
void ora_ko_polar_decode(const rf_ko_polar_model *mdl, const float *y, size_t frames, long double eps,
                         uint64_t run, long double *llr, long double *sign_margin);

#endif
