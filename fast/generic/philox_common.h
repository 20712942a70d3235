/* ISA-independent pieces of the Philox4x32-10 rounds of every level (fast/<isa>/philox.h, as
 * kernels/philox.c): the constants and the round keys to broadcast.
 */
#ifndef REFAST_FAST_PHILOX_COMMON_H
#define REFAST_FAST_PHILOX_COMMON_H

#include <stdint.h>

/* Philox4x32-10 multipliers and key increments (as kernels/philox.c). */
#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

/* The ten round keys of seed (the Weyl sequence), for the levels to broadcast. */
static inline void philox_round_keys(uint64_t seed, uint32_t k0[10], uint32_t k1[10])
{
    uint32_t a = (uint32_t)seed, b = (uint32_t)(seed >> 32);
    for (int r = 0; r < 10; r++) {
        k0[r] = a;
        k1[r] = b;
        a += PHILOX_W0;
        b += PHILOX_W1;
    }
}

#endif
