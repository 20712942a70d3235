/* Channels beyond AWGN (SPEC §5.1 "Channels"; AWGN itself is awgn_llr_f32 in refast/rng.h):
 * Rayleigh fast fading y_i = a_i s_i + n_i with E[a_i^2] = 1 and the coherent LLR 2 a_i y_i / sigma^2,
 * and the bursty channel y_i = s_i + n_i + w_i, w_i ~ N(0, sigma_b^2) with probability rho (seed:
 * rho = 0.1, sigma_b = sqrt(2) sigma), decoded with the AWGN LLR 2 y_i / sigma^2.
 * Frame f's randomness is regenerated from (seed, f) alone (streams documented in ref/channel.c);
 * bits: frames x n (u8, bit 0 of each byte), llr: frames x n.
 * Also the SNR conventions: sigma from Eb/N0 (dB, rate R), Es/N0 (dB) and the seed's training SNR.
 */
#ifndef REFAST_CHANNEL_H
#define REFAST_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "refast/kernel.h"

RF_DECLARE_KERNEL(void, rayleigh_llr_f32, (const uint8_t *bits, size_t n, size_t frames,
                                           uint64_t first_frame, uint64_t seed, float sigma, float *llr));
RF_DECLARE_KERNEL(void, bursty_llr_f32, (const uint8_t *bits, size_t n, size_t frames,
                                         uint64_t first_frame, uint64_t seed, float sigma, float rho,
                                         float sigma_b, float *llr));
void rf_rayleigh_llr_f32(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame,
                         uint64_t seed, float sigma, float *llr);
void rf_bursty_llr_f32(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame, uint64_t seed,
                       float sigma, float rho, float sigma_b, float *llr);

/* sigma^2 = 1 / (2 R 10^(ebn0/10)); 1 / (2 * 10^(esn0/10)); 10^(-snr/10). */
double rf_sigma_from_ebn0(double ebn0_db, double rate);
double rf_sigma_from_esn0(double esn0_db);
double rf_sigma_from_snr(double snr_db);
/* The three values for a given sigma and rate (for output files). */
double rf_ebn0_from_sigma(double sigma, double rate);
double rf_esn0_from_sigma(double sigma);
double rf_snr_from_sigma(double sigma);

#endif
