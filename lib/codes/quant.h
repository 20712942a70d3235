/* Float LLRs to the int8 fixed point of polar_sc_i8 (refast/decoders.h).
 *
 * Format Q(bits, frac): a signed integer of `bits` bits (2..8) whose last `frac` bits are
 * fractional, i.e. q = sat(round(l 2^frac)) with sat clamping to [-(2^(bits-1) - 1),
 * 2^(bits-1) - 1] (symmetric, so -q always exists) and round to nearest, halves away from zero
 * (C's lround). NaN quantises to 0 (an erasure), +-inf to the bounds.
 * The default RF_QUANT_SC_BITS / RF_QUANT_SC_FRAC = Q(6, 1): the channel LLRs use 6 of the 8 bits,
 * in steps of 1/2, so the first sums of the g stages (which double the range per level at most)
 * saturate later than with a full 8-bit input; this is the SC setting of AFF3CT's fixed-point
 * decoders as recalled from its papers (6-bit LLRs with 1 fractional bit, 8-bit arithmetic), not
 * re-read from them here (the docs search found no text stating it).
 */
#ifndef REFAST_LIB_CODES_QUANT_H
#define REFAST_LIB_CODES_QUANT_H

#include <stddef.h>
#include <stdint.h>

#define RF_QUANT_SC_BITS 6
#define RF_QUANT_SC_FRAC 1

/* q[i] = Q(bits, frac) of l[i], i < n. Returns 0 (writing nothing) unless 2 <= bits <= 8 and
 * frac <= 7. */
int rf_quantize_llr_i8(const float *l, size_t n, unsigned bits, unsigned frac, int8_t *q);

#endif
