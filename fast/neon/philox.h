/* The neon level's pieces of Philox4x32-10 (fast/generic/rng.c runs the rounds): 4 blocks per
 * vector, one block per lane, counter words in four registers. The high
 * halves of the 32x32->64 products come from vmull_u32 / vmull_high_u32 and an unzip (vuzp2q),
 * the low halves from a plain vmulq_u32. vst4q stores the four word registers interleaved, i.e. in
 * stream order, for free.
 */
#ifndef REFAST_FAST_PHILOX_H
#define REFAST_FAST_PHILOX_H

#include "philox_common.h"
#include "simd.h"

static inline void mulhilo(vi a, vi m, vi *hi, vi *lo)
{
    const uint64x2_t l = vmull_u32(vget_low_u32(a), vget_low_u32(m));
    const uint64x2_t h = vmull_high_u32(a, m);
    *hi = vuzp2q_u32(vreinterpretq_u32_u64(l), vreinterpretq_u32_u64(h));
    *lo = vmulq_u32(a, m);
}

/* Counter words 0 and 1 of blocks b .. b+3 (lane l = block l), with the carry into the high word
 * where the low word wrapped (a compare mask is -1). */
static inline void counters(uint64_t b, vi *lo_out, vi *hi_out)
{
    static const uint32_t offs[4] = {0, 1, 2, 3};
    const vi base = vi_set1((uint32_t)b);
    const vi lo = vaddq_u32(base, vld1q_u32(offs));
    *lo_out = lo;
    *hi_out = vsubq_u32(vi_set1((uint32_t)(b >> 32)), vcltq_u32(lo, base));
}

/* The 4 words (or numbers in their place) of one vector's 4 blocks, interleaved into stream order
 * by ST4, stored (unaligned) at d: 64 bytes. */
static inline void store_stream(const vi w[4], char *d)
{
    vst4q_u32((uint32_t *)(void *)d, (uint32x4x4_t){{w[0], w[1], w[2], w[3]}});
}

#endif
