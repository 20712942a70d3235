/* Philox4x32-10 at the neon level (the rounds of ref/rng.c; fast/generic/rng.c turns them into
 * words, uniforms and gaussians): 4 blocks per vector, two vectors (8 blocks) per step for
 * instruction-level parallelism, one block per lane, counter words in four registers. The high
 * halves of the 32x32->64 products come from vmull_u32 / vmull_high_u32 and an unzip (vuzp2q),
 * the low halves from a plain vmulq_u32. vst4q stores the four word registers interleaved, i.e. in
 * stream order, for free.
 */
#ifndef REFAST_FAST_PHILOX_H
#define REFAST_FAST_PHILOX_H

#include "philox_common.h"
#include "simd.h"

typedef struct keys {
    uint32_t k0[10], k1[10];
    uint32_t stream_lo, stream_hi;
} keys;

static void keys_init(keys *k, uint64_t seed, uint64_t stream)
{
    philox_round_keys(seed, k->k0, k->k1);
    k->stream_lo = (uint32_t)stream;
    k->stream_hi = (uint32_t)(stream >> 32);
}

static inline uint32x4_t mulhi(uint32x4_t a, uint32x4_t m)
{
    const uint64x2_t lo = vmull_u32(vget_low_u32(a), vget_low_u32(m));
    const uint64x2_t hi = vmull_high_u32(a, m);
    return vuzp2q_u32(vreinterpretq_u32_u64(lo), vreinterpretq_u32_u64(hi));
}

/* Blocks b .. b+3 (w[0]) and b+4 .. b+7 (w[1]), lane l = block l of its vector. */
static inline void philox_sets(const keys *k, uint64_t b, vi w[2][4])
{
    static const uint32_t offs[4] = {0, 1, 2, 3};
    const uint32x4_t base = vdupq_n_u32((uint32_t)b), hi = vdupq_n_u32((uint32_t)(b >> 32));
    const uint32x4_t lo_a = vaddq_u32(base, vld1q_u32(offs));
    const uint32x4_t lo_b = vaddq_u32(lo_a, vdupq_n_u32(4));
    /* carry into the high word where the low word wrapped (a compare mask is -1) */
    uint32x4_t a0 = lo_a, a1 = vsubq_u32(hi, vcltq_u32(lo_a, base));
    uint32x4_t b0 = lo_b, b1 = vsubq_u32(hi, vcltq_u32(lo_b, base));
    uint32x4_t a2 = vdupq_n_u32(k->stream_lo), a3 = vdupq_n_u32(k->stream_hi), b2 = a2, b3 = a3;
    const uint32x4_t m0 = vdupq_n_u32(PHILOX_M0), m1 = vdupq_n_u32(PHILOX_M1);
    for (int r = 0; r < 10; r++) {
        const uint32x4_t k0 = vdupq_n_u32(k->k0[r]), k1 = vdupq_n_u32(k->k1[r]);
        const uint32x4_t ah0 = mulhi(a0, m0), ah1 = mulhi(a2, m1);
        const uint32x4_t bh0 = mulhi(b0, m0), bh1 = mulhi(b2, m1);
        const uint32x4_t al0 = vmulq_u32(a0, m0), al1 = vmulq_u32(a2, m1);
        const uint32x4_t bl0 = vmulq_u32(b0, m0), bl1 = vmulq_u32(b2, m1);
        a0 = veorq_u32(veorq_u32(ah1, a1), k0);
        a2 = veorq_u32(veorq_u32(ah0, a3), k1);
        a1 = al1;
        a3 = al0;
        b0 = veorq_u32(veorq_u32(bh1, b1), k0);
        b2 = veorq_u32(veorq_u32(bh0, b3), k1);
        b1 = bl1;
        b3 = bl0;
    }
    w[0][0] = a0, w[0][1] = a1, w[0][2] = a2, w[0][3] = a3;
    w[1][0] = b0, w[1][1] = b1, w[1][2] = b2, w[1][3] = b3;
}

/* The 4 words (or numbers in their place) of one vector's 4 blocks, interleaved into stream order
 * by ST4, stored (unaligned) at d: 64 bytes. */
static inline void store_stream(const vi w[4], char *d)
{
    vst4q_u32((uint32_t *)(void *)d, (uint32x4x4_t){{w[0], w[1], w[2], w[3]}});
}

#endif
