/* Sequential reading of Philox4x32-10 streams (refast/rng.h addressing: word p of stream (seed, s)
 * is word p % 4 of the block with counter (p / 4, s)) and the draws the pMoE data and training
 * need. Everything is computed by the scalar block function in double precision, independent of
 * the ISA level, so a run is reproducible from (seed, stream) alone at any level and thread count.
 *
 * Streams are named by purpose, run and a sub-index (epoch, sample, ...):
 *   stream = purpose << 56 | (run mod 2^24) << 32 | sub. */
#ifndef REFAST_LIB_PMOE_PRNG_H
#define REFAST_LIB_PMOE_PRNG_H

#include <stddef.h>
#include <stdint.h>

enum {
    RF_PMOE_STREAM_TRAIN_DATA = 1, /* composing / sampling training sets */
    RF_PMOE_STREAM_TEST_DATA,      /* test sets */
    RF_PMOE_STREAM_PATTERNS,       /* the synthetic data model's patterns */
    RF_PMOE_STREAM_INIT,           /* weight initialisation (sub: which tensor) */
    RF_PMOE_STREAM_SHUFFLE,        /* per-epoch shuffles (sub: epoch) */
    RF_PMOE_STREAM_ROUTER_SHUFFLE, /* per-epoch shuffles of the router phase (sub: epoch) */
};

typedef struct rf_pmoe_rng {
    uint64_t seed, stream, block;
    uint32_t word[4];
    unsigned next;     /* next unread word of `word` (4: none left) */
    int has_spare;     /* Box-Muller's second value is waiting */
    double spare;
} rf_pmoe_rng;

uint64_t rf_pmoe_stream(unsigned purpose, uint64_t run, uint32_t sub);
void rf_pmoe_rng_init(rf_pmoe_rng *r, uint64_t seed, uint64_t stream);
uint32_t rf_pmoe_rng_u32(rf_pmoe_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double rf_pmoe_rng_uniform(rf_pmoe_rng *r);
/* Standard normal: Box-Muller on two 53-bit uniforms, both values of each pair used in turn. */
double rf_pmoe_rng_gauss(rf_pmoe_rng *r);
/* Uniform integer in [0, bound), bound >= 1, without modulo bias (Lemire's method). */
uint32_t rf_pmoe_rng_below(rf_pmoe_rng *r, uint32_t bound);
/* perm[0..n) := a uniformly random permutation of its current contents (Fisher-Yates). */
void rf_pmoe_rng_shuffle(rf_pmoe_rng *r, uint32_t *perm, size_t n);

#endif
