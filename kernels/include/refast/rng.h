/* Counter-based random numbers (Philox4x32-10, Salmon et al. 2011) and the BPSK + AWGN channel.
 *
 * Every random number has an address: (seed, stream, position). Position p of a stream is word
 * p % 4 of the Philox block with counter (b lo32, b hi32, stream lo32, stream hi32), b = p / 4,
 * key (seed lo32, seed hi32). Any range of any stream can thus be regenerated alone, and a
 * parallel run gives exactly the numbers of a serial one.
 *
 *   u32:      the raw words (bit-identical at every level).
 *   uniform:  float u = (w >> 8) * 2^-24 in [0, 1) (exact, bit-identical at every level).
 *   gauss:    Box–Muller on word pairs (2j, 2j+1), so gaussian g uses the words of block g / 4:
 *             u1 = ((w0 >> 9) + 0.5) * 2^-23 in (0, 1), r = sqrt(-2 ln u1),
 *             angle = 2 pi (w1 >> 8) / 2^24; z_2j = r cos(angle), z_2j+1 = r sin(angle).
 *             The angle is reduced to an octant in exact integer arithmetic: with k = w1 >> 8,
 *             quadrant q = k >> 22 and m = k mod 2^22, the reduced angle is t = (pi/2) j / 2^22
 *             with j = m (m <= 2^21) or j = 2^22 - m (m > 2^21, the complementary angle, which
 *             swaps sin and cos), so every sin/cos is taken on [0, pi/4] and every level is
 *             accurate relative to the result (`ulp` class vs the oracle). Levels may differ by
 *             that bound; within one level a value does not depend on the (first, n) of the call.
 *   awgn_llr: frame f (absolute index first_frame + i) of n symbols uses stream f, gaussians
 *             0..n-1: y = (1 - 2c) + sigma z, L = 2 y / sigma^2 (positive means bit 0), with
 *             c = bits[i n + k] & 1 (only bit 0 of each byte is read) and 2 / sigma^2 rounded to
 *             float once per call. sigma must be finite and > 0 (callers validate it); llr is
 *             frames x n, row i for frame first_frame + i.
 * Counts and positions are arbitrary (no alignment or multiple-of-4 requirements); positions
 * first + i wrap modulo 2^64. n = 0 (or frames = 0) writes nothing.
 */
#ifndef REFAST_RNG_H
#define REFAST_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"

/* One Philox4x32-10 block (scalar; used by every level for tails and by tests). */
void rf_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

#define RF_KERNELS_RNG(X)                                                                        \
    X(philox_u32, HAND, NONE, VOID,                                                              \
      (uint64_t seed, uint64_t stream, uint64_t first, size_t n, uint32_t *out),                 \
      (seed, stream, first, n, out))                                                             \
    X(uniform_f32, HAND, NONE, VOID,                                                             \
      (uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out),                    \
      (seed, stream, first, n, out))                                                             \
    X(gauss_f32, HAND, NONE, VOID,                                                               \
      (uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out),                    \
      (seed, stream, first, n, out))                                                             \
    X(awgn_llr_f32, HAND, NONE, VOID,                                                            \
      (const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame, uint64_t seed,        \
       float sigma, float *llr),                                                                 \
      (bits, n, frames, first_frame, seed, sigma, llr))
RF_DECLARE_KERNELS(RF_KERNELS_RNG)

#endif
