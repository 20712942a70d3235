/* ISA-independent pieces of the Philox4x32-10 rounds of every level (fast/<isa>/philox.h, as
 * kernels/philox.c): the constants and the round keys and stream words, broadcast to registers.
 */
#ifndef REFAST_FAST_PHILOX_COMMON_H
#define REFAST_FAST_PHILOX_COMMON_H

#include <stdint.h>

#include "simd.h"

/* Philox4x32-10 multipliers and key increments (as kernels/philox.c). */
#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

/* The ten round keys of a seed (the Weyl sequence) and the stream's counter words 2 and 3, each
 * in every lane. */
typedef struct keys {
    vi k0[10], k1[10];
    vi stream_lo, stream_hi;
} keys;

static void keys_init(keys *k, uint64_t seed, uint64_t stream)
{
    uint32_t a = (uint32_t)seed, b = (uint32_t)(seed >> 32);
    for (int r = 0; r < 10; r++) {
        k->k0[r] = vi_set1(a);
        k->k1[r] = vi_set1(b);
        a += PHILOX_W0;
        b += PHILOX_W1;
    }
    k->stream_lo = vi_set1((uint32_t)stream);
    k->stream_hi = vi_set1((uint32_t)(stream >> 32));
}

#endif
