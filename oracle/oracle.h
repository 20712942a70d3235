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

/* ---- Random numbers and the AWGN channel (oracle/rng.c) ------------------------------------
 * Words and uniforms are exact integers: their oracle is the Philox definition itself
 * (rf_philox4x32_10, proven by the SPEC §3 known-answer tests) with the addressing of
 * refast/rng.h. Gaussians and LLRs are computed in long double from the exactly reduced angle. */

/* Word `pos` of Philox stream (seed, stream). */
uint32_t ora_philox_word(uint64_t seed, uint64_t stream, uint64_t pos);
/* Gaussian number `index` of stream (seed, stream), Box–Muller in long double. */
long double ora_gauss(uint64_t seed, uint64_t stream, uint64_t index);
/* BPSK + AWGN LLRs of frames x n symbols (frame first_frame + i uses stream first_frame + i):
 * llr = 2 (s + sigma z) / sigma^2 with the long double gaussian z, and the error scale
 * scale = (2 / sigma^2) (1 + sigma |z|), the magnitudes of the terms that make up each LLR. */
void ora_awgn_llr(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame,
                  uint64_t seed, float sigma, long double *llr, long double *scale);

/* ---- MAP and Soft-MAP by enumeration (oracle/softmap.c) --------------------------------------
 * Codes are given by a k x n generator matrix (u8 0/1, row-major, message bit i multiplies row
 * i); message u (bit i = information bit i) has codeword c(u) = u G over GF(2). */

/* The RM(m,1) generator in the canonical order: row 0 all ones (b0), row j+1 = bit_j(i). */
void ora_rm1_generator(unsigned m, uint8_t *gen);
/* corr[f * 2^k + u] = <l_f, 1 - 2 c(u)> for every frame f and message u, TwoSum-compensated
 * long double (plain long double IEEE arithmetic for a frame with non-finite LLRs). Returns -1 if out of
 * memory (it needs 2^k * n bytes), else 0. */
int ora_code_correlations(const float *llr, size_t frames, size_t n, unsigned k,
                          const uint8_t *gen, long double *corr);
/* 1 if all 2^k correlations of one frame are finite. */
int ora_corr_finite(const long double *corr, unsigned k);
/* The k information-bit LLRs of one frame from its 2^k correlations: maxlog != 0 gives
 * max_{u_i=0} corr - max_{u_i=1} corr, else LSE_{u_i=0} corr/2 - LSE_{u_i=1} corr/2 (long double
 * LSE). NaN everywhere if a correlation is not finite. */
void ora_softmap_from_corr(const long double *corr, unsigned k, int maxlog, long double *out);
/* MAP of one RM(m,1) frame (correlations of ora_rm1_generator's code): the first message in
 * increasing order with the largest correlation (strict >, NaN never wins, all-NaN gives 0),
 * written as m+1 bits b0..bm. Returns the decision margin min(|W(a*)| - max_{a != a*} |W(a)|,
 * |W(a*)|) with W(a) = corr[2a], or +inf for a frame with a non-finite correlation (its bits are
 * fixed by the NaN rules alone: no near-tie). */
long double ora_rm1_map_from_corr(const long double *corr, unsigned m, uint8_t *bits);

#endif
