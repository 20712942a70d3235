/* The Monte Carlo BER/BLER engine of `refast sim` (SPEC §5.1 "Metrics and simulation").
 *
 * One SNR point: frames f = 0, 1, 2, ... each get a random message, are encoded, sent through the
 * channel and decoded; bit and block errors are counted until `target_errors` block errors or
 * `max_frames` frames, whichever comes first. Everything about frame f is a function of
 * (seed, f) alone:
 *   message  bit j = bit (j mod 32) of word j / 32 of Philox stream RF_SIM_STREAM_MSG + f
 *            (refast/rng.h addressing, seed `seed`);
 *   channel  the channel kernels' streams for frame f (refast/rng.h, refast/channel.h), seed `seed`.
 * The frame numbers restart at 0 at every SNR point, so all points see the same messages and the
 * same normalised noise (common random numbers: the curve is smooth and two decoders run with the
 * same seed are compared on identical frames).
 * Frames are processed in batches (a fixed size derived from n, never from the thread count) by
 * `threads` workers; per-frame outcomes are merged in frame order and the run stops at the exact
 * frame that reaches the target, so the counts do not depend on the batching or the number of
 * threads. The caller's codec must be safe to call from several threads at once (the refast
 * kernels are).
 *
 * Per-leaf decomposition (seed 004 eq. 4.4): when the codec lists leaves (contiguous ranges of
 * message bits in decoding order), each block error is charged to the first leaf, in that order,
 * whose range holds a wrong bit, so the leaf counts add up to the block errors:
 * BLER = sum_i P(leaf i wrong, leaves before it right).
 *
 * Real-valued symbols (rf_sim_point_real, the KO codes): the encoder's output x is sent as it is
 * (not sliced to BPSK), through the same noise, fading and burst streams as the LLR channels of
 * refast/channel.h (so for frame f an RM and a KO run see the same z, a and bursts), and the
 * decoder receives channel observations instead of LLRs:
 *   awgn      y = x + sigma z
 *   bursty    y = x + sigma z (+ sigma_b w where hit)       the raw y, as the AWGN decoder sees it
 *   rayleigh  a y, y = a x + sigma z                          the matched-filter output
 * Rayleigh gets a y because that is the observation the coherent BPSK LLR 2 a y / sigma^2 is made
 * of (up to the factor 2 / sigma^2 a raw-y decoder does not apply): it weighs each symbol by its
 * fade as the LLR does, and stays bounded on deep fades where y / a (zero forcing) would blow the
 * noise up; a decoder trained on AWGN raw y thus sees the same per-symbol reliabilities as Dumer.
 * With ||x||^2 = n the average symbol energy is 1, so the three SNR conventions keep their meaning.
 */
#ifndef REFAST_SIM_H
#define REFAST_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codespec.h"

#define RF_SIM_STREAM_MSG (UINT64_C(1) << 61)
#define RF_SIM_MAX_FRAMES (UINT64_C(1) << 50)
#define RF_SIM_MAX_THREADS 256

typedef enum rf_channel_kind { RF_CH_AWGN = 0, RF_CH_RAYLEIGH, RF_CH_BURSTY } rf_channel_kind;

/* Encoder: frames x k message bits -> frames x n BPSK symbols (+1 for bit 0), or real symbols of
 * average energy 1 under rf_sim_point_real. Decoder: frames x n LLRs (rf_sim_point_real: channel
 * observations, see above) -> frames x k message bits; `soft` is scratch of frames x k floats. */
typedef struct rf_sim_codec {
    size_t n, k;
    const void *ctx;
    void (*encode)(const void *ctx, const uint8_t *msg, size_t frames, float *x);
    void (*decode)(const void *ctx, const float *llr, size_t frames, uint8_t *msg, float *soft);
    const rf_leaf *leaves; /* NULL: no decomposition */
    size_t nleaves;
} rf_sim_codec;

typedef struct rf_sim_point_cfg {
    double sigma;
    rf_channel_kind channel;
    double rho, sigma_b; /* bursty: probability and deviation of the burst noise */
    uint64_t seed, max_frames, target_errors;
    unsigned threads;
    /* progress callback, called from the merging thread after each round (may be NULL) */
    void (*progress)(void *arg, uint64_t frames, uint64_t block_errors);
    void *progress_arg;
} rf_sim_point_cfg;

typedef struct rf_sim_result {
    uint64_t frames, bit_errors, block_errors, bits;
    uint64_t bit_errors_sq; /* sum over frames of (bit errors of the frame)^2: the frame-level BER variance */
    uint64_t *leaf_errors; /* nleaves counts (allocated by rf_sim_point, free with rf_sim_result_free) */
    size_t nleaves;
    double seconds;
} rf_sim_result;

/* Runs one point. Returns false (with err) on bad arguments or out of memory. */
bool rf_sim_point(const rf_sim_codec *codec, const rf_sim_point_cfg *cfg, rf_sim_result *res, char *err,
                  size_t errlen);
/* The same with the codec's symbols sent as real values (see above). */
bool rf_sim_point_real(const rf_sim_codec *codec, const rf_sim_point_cfg *cfg, rf_sim_result *res, char *err,
                       size_t errlen);
void rf_sim_result_free(rf_sim_result *res);

/* The message bits of frames [first, first + frames), k per frame (the stream documented above). */
void rf_sim_messages(uint64_t seed, uint64_t first, size_t frames, size_t k, uint8_t *msg);

/* The real-symbol channel above for frames [first, first + frames) of n symbols: x in, the decoder's
 * observations out (x and out may be the same array). scratch: 3n floats. */
void rf_sim_real_channel(rf_channel_kind ch, const float *x, size_t n, size_t frames, uint64_t first, uint64_t seed,
                         float sigma, float rho, float sigma_b, float *scratch, float *out);

/* Wilson score interval for x successes in n trials at z = 1.959963984540054 (95%); n = 0 gives
 * [0, 1]. */
void rf_wilson(uint64_t x, uint64_t n, double *lo, double *hi);

/* Normal-approximation interval for the BER from the frame-level variance: the frames are i.i.d.
 * and BER = mean(e_f) / k, so the bits' correlation inside a frame is accounted for:
 * BER +- z sqrt(s^2 / frames) / k, s^2 the sample variance of e_f (from bit_errors and
 * bit_errors_sq), clamped to [0, 1]; fewer than 2 frames give [0, 1]. */
void rf_sim_ber_interval(const rf_sim_result *res, double z, double *lo, double *hi);

/* Parses "A:B:STEP" (finite, STEP > 0, B >= A, at most max points); the points are A + i STEP. */
bool rf_sim_range(const char *s, double *a, double *step, size_t *count, size_t max, char *err, size_t errlen);

#endif
