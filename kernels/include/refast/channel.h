/* Channels beyond AWGN (SPEC §5.1 "Channels"; AWGN itself is awgn_llr_f32 in refast/rng.h):
 * Rayleigh fast fading y_i = a_i s_i + n_i with E[a_i^2] = 1 and the coherent LLR 2 a_i y_i / sigma^2,
 * and the bursty channel y_i = s_i + n_i + w_i, w_i ~ N(0, sigma_b^2) with probability rho (seed:
 * rho = 0.1, sigma_b = sqrt(2) sigma), decoded with the AWGN LLR 2 y_i / sigma^2.
 * Frame f's randomness is regenerated from (seed, f) alone (refast/rng.h addressing), one stream
 * per purpose, all under the same seed:
 *   noise       stream f,                         gaussians 0..n-1 (exactly awgn_llr_f32's z)
 *   fading      stream f + RF_STREAM_FADING,      gaussians 2i, 2i+1 (one Box–Muller pair, so
 *               a_i = sqrt((g_2i^2 + g_2i+1^2) / 2) = sqrt(-ln u) is exactly Rayleigh, E[a^2] = 1)
 *   burst flag  stream f + RF_STREAM_BURST_FLAG,  uniform i: symbol i is hit iff u_i < rho
 *               (u_i = k 2^-24 exactly, so the decision is the same at every level)
 *   burst noise stream f + RF_STREAM_BURST_NOISE, gaussian i: w_i = sigma_b g_i where hit
 * (stream numbers wrap modulo 2^64; frames below 2^61 never share a stream). So with a_i = 1
 * Rayleigh is the AWGN channel, and with rho = 0 the bursty channel is AWGN bit for bit at each
 * level. rayleigh: y = a s + sigma z, L = (a y) (2 / sigma^2); bursty: y = s + sigma z (+ sigma_b g),
 * L = y (2 / sigma^2); 2 / sigma^2 rounded to float once per call. sigma finite > 0, sigma_b finite
 * >= 0 (callers validate); rho <= 0 (or NaN) never bursts, rho >= 1 always does.
 * bits: frames x n (u8, only bit 0 of each byte is read), llr: frames x n, row i for frame
 * first_frame + i; n = 0 or frames = 0 writes nothing; any alignment. (The SNR conventions that
 * give sigma are in lib/codes/snr.h.)
 */
#ifndef REFAST_CHANNEL_H
#define REFAST_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"

#define RF_STREAM_FADING (UINT64_C(1) << 62)
#define RF_STREAM_BURST_FLAG (UINT64_C(2) << 62)
#define RF_STREAM_BURST_NOISE (UINT64_C(3) << 62)

#define RF_KERNELS_CHANNEL(X)                                                                    \
    X(rayleigh_llr_f32, HAND, NONE, VOID,                                                        \
      (const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame, uint64_t seed,        \
       float sigma, float *llr),                                                                 \
      (bits, n, frames, first_frame, seed, sigma, llr))                                          \
    X(bursty_llr_f32, HAND, NONE, VOID,                                                          \
      (const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame, uint64_t seed,        \
       float sigma, float rho, float sigma_b, float *llr),                                       \
      (bits, n, frames, first_frame, seed, sigma, rho, sigma_b, llr))
RF_DECLARE_KERNELS(RF_KERNELS_CHANNEL)

#endif
