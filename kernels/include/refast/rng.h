/* Counter-based random numbers (Philox4x32-10, Salmon et al. 2011) and the BPSK + AWGN channel.
 *
 * Every random number has an address: (seed, stream, position). Position p of a stream is word
 * p % 4 of the Philox block with counter (b lo32, b hi32, stream lo32, stream hi32), b = p / 4,
 * key (seed lo32, seed hi32). Any range of any stream can thus be regenerated alone, and a
 * parallel run gives exactly the numbers of a serial one.
 *
 *   u32:      the raw words (bit-identical at every level).
 *   uniform:  float u = (w >> 8) * 2^-24 in [0, 1) (exact, bit-identical at every level).
 *   gauss:    Box–Muller on word pairs (2j, 2j+1): u1 = ((w0 >> 9) + 0.5) * 2^-23 in (0, 1),
 *             angle = 2 pi (w1 >> 8) / 2^24; z_2j = r cos(angle), z_2j+1 = r sin(angle),
 *             r = sqrt(-2 ln u1). The angle is reduced to an octant in exact integer arithmetic so
 *             that every level is accurate relative to the result (`ulp` class vs the oracle).
 *   awgn_llr: frame f (absolute index first_frame + i) of n symbols uses stream f, gaussians
 *             0..n-1: y = (1 - 2c) + sigma z, L = 2 y / sigma^2 (positive means bit 0).
 * Counts and positions are arbitrary (no alignment or multiple-of-4 requirements).
 */
#ifndef REFAST_RNG_H
#define REFAST_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"

/* One Philox4x32-10 block (scalar; used by every level for tails and by tests). */
void rf_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

typedef void (*rf_philox_u32_fn)(uint64_t seed, uint64_t stream, uint64_t first, size_t n,
                                 uint32_t *out);
typedef void (*rf_uniform_f32_fn)(uint64_t seed, uint64_t stream, uint64_t first, size_t n,
                                  float *out);
typedef void (*rf_gauss_f32_fn)(uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out);
typedef void (*rf_awgn_llr_f32_fn)(const uint8_t *bits, size_t n, size_t frames,
                                   uint64_t first_frame, uint64_t seed, float sigma, float *llr);

RF_DECLARE_KERNEL(void, philox_u32, (uint64_t seed, uint64_t stream, uint64_t first, size_t n,
                                     uint32_t *out));
RF_DECLARE_KERNEL(void, uniform_f32, (uint64_t seed, uint64_t stream, uint64_t first, size_t n,
                                      float *out));
RF_DECLARE_KERNEL(void, gauss_f32, (uint64_t seed, uint64_t stream, uint64_t first, size_t n,
                                    float *out));
RF_DECLARE_KERNEL(void, awgn_llr_f32, (const uint8_t *bits, size_t n, size_t frames,
                                       uint64_t first_frame, uint64_t seed, float sigma, float *llr));

void rf_philox_u32(uint64_t seed, uint64_t stream, uint64_t first, size_t n, uint32_t *out);
void rf_uniform_f32(uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out);
void rf_gauss_f32(uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out);
void rf_awgn_llr_f32(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame,
                     uint64_t seed, float sigma, float *llr);

#endif
