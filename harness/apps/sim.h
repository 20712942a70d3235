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
 * Frames are processed in batches of a fixed size derived from n alone (rf_sim_batch_frames),
 * never from the thread or rank count. The result of a point is defined as that of the serial
 * run: frames merged in frame order, the point ending at the exact frame that reaches the target
 * (or at the frame cap). Every run computes exactly that, whatever its workers (sim_engine.c):
 *   rounds  the batches are simulated in rounds (consecutive batch ranges); each rank takes every
 *           P-th batch of a round and shares it among its threads. The ranks then gather every
 *           batch's block error count (one word a batch), so that every rank finds the same batch
 *           that reaches the target, if one does, and add up (allreduce) the tallies of the batches
 *           before it: two collectives a round, of 8 bytes a batch and of one tally. Rank 0
 *           simulates the batch that reaches the target again (it is a function of (seed, batch)
 *           alone) and counts it up to the frame that reaches the target. Frames simulated past that
 *           frame are dropped. Round sizes adapt to the measured speed and to the errors seen so
 *           far, from data every rank has (so every rank sizes them alike); they change no count.
 *   hashes  decisions_xxh3 = sum over the frames f of the point of XXH3-64(the k decided bytes of
 *           frame f, seed f) mod 2^64: a sum, so parts add up in any order, and it still names
 *           every decision of every frame.
 *   resume  the state after a round (whole batches merged, their tally) is all a checkpoint
 *           needs: a run resumed from it merges the same frames in the same order.
 *   stop    a stop flag (SIGINT/SIGTERM) ends the point at the last round boundary: the batches
 *           of the unfinished round are dropped and the merged prefix is returned, `interrupted`.
 * The caller's codec must be safe to call from several threads at once (the refast kernels are).
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

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codespec.h"
#include "wilson.h"

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

/* The ranks of a distributed run (rf_sim_comm_self(): this process alone; sim_mpi.h: MPI). */
typedef struct rf_sim_comm {
    int rank, size;
    void *ctx;
    /* Every rank passes `count` words; `all` receives size x count words, rank-major. Collective:
     * every rank calls it the same number of times with the same count. False (err set) when the
     * exchange failed; the run then ends with that error. */
    bool (*allgather)(void *ctx, const uint64_t *mine, size_t count, uint64_t *all, char *err, size_t errlen);
    /* Element-wise sum mod 2^64 of every rank's `count` words, in place on every rank (collective). */
    bool (*allreduce_sum)(void *ctx, uint64_t *words, size_t count, char *err, size_t errlen);
} rf_sim_comm;

const rf_sim_comm *rf_sim_comm_self(void);

/* The stages of a batch, timed on the monotonic clock (rf_sim_result.stage_seconds; sim_engine.c
 * says why not the thread CPU clock). */
enum {
    RF_SIM_STAGE_MESSAGES,
    RF_SIM_STAGE_ENCODE,
    RF_SIM_STAGE_CHANNEL,
    RF_SIM_STAGE_DECODE,
    RF_SIM_STAGE_COUNT,
    RF_SIM_STAGES
};
extern const char *const rf_sim_stage_names[RF_SIM_STAGES];

typedef struct rf_sim_result {
    uint64_t frames, bit_errors, block_errors, bits;
    uint64_t bit_errors_sq;  /* sum over frames of (bit errors of the frame)^2: the frame-level BER variance */
    uint64_t decisions_xxh3; /* see "hashes" above */
    uint64_t *leaf_errors;   /* nleaves counts (allocated by rf_sim_point, free with rf_sim_result_free) */
    size_t nleaves;
    uint64_t next_batch;     /* the first batch not merged (what a checkpoint keeps) */
    bool finished;           /* the target or the frame cap was reached */
    bool interrupted;        /* the stop flag ended the point first (counts: the merged prefix) */
    double seconds;          /* wall time, added up over resumed runs */
    double cpu_seconds;      /* process CPU time of every rank, added up over resumed runs */
    double stage_seconds[RF_SIM_STAGES]; /* time per stage, every worker of every rank, likewise */
    double exchange_seconds; /* wall time in the collectives (waiting for the slowest rank included), summed
                                over ranks, likewise */
} rf_sim_result;

typedef struct rf_sim_point_cfg {
    double sigma;
    rf_channel_kind channel;
    double rho, sigma_b; /* bursty: probability and deviation of the burst noise */
    uint64_t seed, max_frames, target_errors;
    unsigned threads;
    /* called on rank 0 after each merged round with the state so far (may be NULL) */
    void (*on_round)(void *arg, const rf_sim_result *state);
    void *on_round_arg;
    const rf_sim_comm *comm;           /* NULL: this process alone */
    const volatile sig_atomic_t *stop; /* non-zero: end at the next round boundary (NULL: never) */
    const rf_sim_result *resume;       /* a checkpointed prefix to continue from (NULL: frame 0) */
} rf_sim_point_cfg;

/* Frames per batch for codes of length n. */
size_t rf_sim_batch_frames(size_t n);

/* Runs one point. Returns false (with err) on bad arguments, out of memory or a failed exchange;
 * true with res->interrupted set when the stop flag ended it. Every rank returns the same result
 * except where a target batch was cut: only rank 0 counts that one (see "rounds"). */
bool rf_sim_point(const rf_sim_codec *codec, const rf_sim_point_cfg *cfg, rf_sim_result *res, char *err,
                  size_t errlen);
/* The same with the codec's symbols sent as real values (see above). */
bool rf_sim_point_real(const rf_sim_codec *codec, const rf_sim_point_cfg *cfg, rf_sim_result *res, char *err,
                       size_t errlen);
void rf_sim_result_free(rf_sim_result *res);
/* A deep copy of src (leaf counts included); false when out of memory. */
bool rf_sim_result_copy(rf_sim_result *dst, const rf_sim_result *src);

/* The message bits of frames [first, first + frames), k per frame (the stream documented above). */
void rf_sim_messages(uint64_t seed, uint64_t first, size_t frames, size_t k, uint8_t *msg);

/* The real-symbol channel above for frames [first, first + frames) of n symbols: x in, the decoder's
 * observations out (x and out may be the same array). scratch: 3n floats. */
void rf_sim_real_channel(rf_channel_kind ch, const float *x, size_t n, size_t frames, uint64_t first, uint64_t seed,
                         float sigma, float rho, float sigma_b, float *scratch, float *out);

/* Normal-approximation interval for the BER from the frame-level variance: the frames are i.i.d.
 * and BER = mean(e_f) / k, so the bits' correlation inside a frame is accounted for:
 * BER +- z sqrt(s^2 / frames) / k, s^2 the sample variance of e_f (from bit_errors and
 * bit_errors_sq), clamped to [0, 1]; fewer than 2 frames give [0, 1]. */
void rf_sim_ber_interval(const rf_sim_result *res, double z, double *lo, double *hi);

/* Parses "A:B:STEP" (finite, STEP > 0, B >= A, at most max points); the points are A + i STEP. */
bool rf_sim_range(const char *s, double *a, double *step, size_t *count, size_t max, char *err, size_t errlen);

#endif
