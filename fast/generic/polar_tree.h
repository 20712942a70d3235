/* The node schedule and the bit-form transform shared by the vector SC decoders
 * (fast/generic/polar_sc.c, float; fast/generic/polar_sc_i8.c, int8): the frozen mask classified
 * into a heap of node types, kept per thread with the decoder's work buffers (polar_schedule),
 * and the emission of a shortcut node's decisions (x as bytes, then u = x F^{(x)n} in bit form
 * appended to the message). Independent of the LLR type: the decoders differ only in their work
 * buffers.
 *
 * Everything here is static, and the thread-exit key is one per including file: each level's
 * object (and each decoder) has its own, with no symbol shared between levels.
 */
#ifndef REFAST_FAST_POLAR_TREE_H
#define REFAST_FAST_POLAR_TREE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simd.h"

enum { NODE_MIXED = 0, NODE_RATE0 = 1, NODE_RATE1 = 2, NODE_REP = 3, NODE_SPC = 4 };

/* In-word stages of u = x F^{(x)n} on bits (bit j = position j): u_j ^= u_{j+h} for j without
 * bit h, h = 1..32. Bits at and above n are zero, so the stages with h >= n change nothing. */
static inline uint64_t polar_transform_word(uint64_t w)
{
    w ^= (w >> 1) & 0x5555555555555555ull;
    w ^= (w >> 2) & 0x3333333333333333ull;
    w ^= (w >> 4) & 0x0f0f0f0f0f0f0f0full;
    w ^= (w >> 8) & 0x00ff00ff00ff00ffull;
    w ^= (w >> 16) & 0x0000ffff0000ffffull;
    w ^= (w >> 32) & 0x00000000ffffffffull;
    return w;
}

/* Writes x (bytes) from the hard-decision bits (n of them, 64 per word; overwritten), then
 * u = x F^{(x)n} in bit form, and writes u[skip..n) to u (skip = 1: an SPC node's frozen first
 * bit, 0 by construction). */
static inline void polar_emit(uint64_t *bits, size_t n, size_t skip, uint8_t *x, uint8_t *u)
{
    if (n <= 64) {
        rf_bits_to_bytes(bits[0], n, x);
        rf_bits_to_bytes(polar_transform_word(bits[0]) >> skip, n - skip, u);
        return;
    }
    const size_t words = n >> 6;
    for (size_t w = 0; w < words; w++) {
        rf_bits_to_bytes(bits[w], 64, x + 64 * w);
        bits[w] = polar_transform_word(bits[w]);
    }
    for (size_t h = 1; h < words; h <<= 1)
        for (size_t b = 0; b < words; b += 2 * h)
            for (size_t w = b; w < b + h; w++) bits[w] ^= bits[w + h];
    for (size_t w = 0; w < words; w++) {
        const uint64_t next = w + 1 < words ? bits[w + 1] : 0;
        const uint64_t v = skip ? (bits[w] >> 1) | (next << 63) : bits[w];
        rf_bits_to_bytes(v, w + 1 < words ? 64 : 64 - skip, u + 64 * w);
    }
}

/* Node types bottom-up in heap order (2N entries): rate-0, rate-1 (an information leaf is
 * rate-1), repetition (rate-0 left half, repetition or information-leaf right half), SPC (SPC or
 * 2-leaf repetition left half, rate-1 right half), mixed. */
static inline void polar_classify(unsigned m, const uint8_t *frozen, uint8_t *type)
{
    const size_t n = (size_t)1 << m;
    for (size_t i = 0; i < n; i++) type[n + i] = frozen[i] ? NODE_RATE0 : NODE_RATE1;
    for (size_t v = n - 1; v >= 1; v--) {
        const uint8_t a = type[2 * v], b = type[2 * v + 1];
        if (a == b && (a == NODE_RATE0 || a == NODE_RATE1)) type[v] = a;
        else if (b == NODE_RATE1 && (a == NODE_SPC || (a == NODE_REP && 4 * v >= n))) type[v] = NODE_SPC;
        else if (a == NODE_RATE0 && (b == NODE_REP || (b == NODE_RATE1 && 2 * v + 1 >= n))) type[v] = NODE_REP;
        else type[v] = NODE_MIXED;
    }
}

/* A thread's schedule of the last mask it decoded, the first member of its decoder's cache next to
 * the decoder's work buffers, so repeated calls with the same code (the simulator's and the
 * benchmark's pattern) neither reclassify nor allocate. It is kept for the thread's lifetime:
 * replaced when another code comes, freed when the thread ends. The decoder's two hooks manage its
 * work buffers: work_alloc allocates them for a code of n positions (0 when out of memory, leaving
 * what it got to work_free), work_free frees them (NULL ones too) and sets them NULL. Both get the
 * schedule's address, which is the cache's. */
typedef struct polar_schedule polar_schedule;
struct polar_schedule {
    unsigned m;      /* log2 n; ~0u: no schedule (and no work buffers) */
    size_t k;        /* information positions */
    uint8_t *frozen; /* copy of the mask the schedule belongs to */
    uint8_t *type;   /* polar_classify's node types (2n) */
    int (*work_alloc)(polar_schedule *s, size_t n);
    void (*work_free)(polar_schedule *s);
};

/* Frees the schedule and the decoder's work buffers; the hooks stay. */
static inline void polar_schedule_release(polar_schedule *s)
{
    s->work_free(s);
    free(s->frozen);
    free(s->type);
    *s = (polar_schedule){.m = ~0u, .work_alloc = s->work_alloc, .work_free = s->work_free};
}

/* A thread that ends (a simulator's worker) frees its cache: the key's destructor runs at its exit
 * for the non-NULL value polar_schedule_get stored. */
static pthread_key_t polar_schedule_key;
static pthread_once_t polar_schedule_key_once = PTHREAD_ONCE_INIT;
static inline void polar_schedule_at_exit(void *s) { polar_schedule_release(s); }
static inline void polar_schedule_key_create(void) { (void)pthread_key_create(&polar_schedule_key, polar_schedule_at_exit); }

/* Makes *s the schedule of (m, frozen), with the decoder's work buffers for it: unchanged when it
 * already is, else rebuilt. 0 when out of memory (then nothing is kept: the decoder writes
 * nothing). */
static inline int polar_schedule_get(polar_schedule *s, unsigned m, const uint8_t *frozen)
{
    const size_t n = (size_t)1 << m;
    if (s->m == m && memcmp(s->frozen, frozen, n) == 0) return 1;
    pthread_once(&polar_schedule_key_once, polar_schedule_key_create);
    (void)pthread_setspecific(polar_schedule_key, s);
    polar_schedule_release(s);
    s->frozen = malloc(n);
    s->type = malloc(2 * n);
    if (!s->frozen || !s->type || !s->work_alloc(s, n)) {
        polar_schedule_release(s);
        return 0;
    }
    memcpy(s->frozen, frozen, n);
    polar_classify(m, frozen, s->type);
    for (size_t i = 0; i < n; i++) s->k += !frozen[i];
    s->m = m;
    return 1;
}

#endif
