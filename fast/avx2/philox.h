/* The avx2 level's pieces of Philox4x32-10 (fast/generic/rng.c runs the rounds): 8 blocks per
 * vector, one block per 32-bit lane, the four counter words in four registers. The 32x32->64
 * multiplications use _mm256_mul_epu32 on the even lanes and again on the odd lanes shifted down;
 * blends reassemble the high and low halves. Lane l of a set holds its block 2(l mod 4) + l/4, so
 * the in-lane 4x4 transpose (unpack) already yields the words in stream order and no cross-lane
 * permute is needed.
 */
#ifndef REFAST_FAST_PHILOX_H
#define REFAST_FAST_PHILOX_H

#include "philox_common.h"
#include "simd.h"

static inline void mulhilo(vi a, vi m, vi *hi, vi *lo)
{
    const vi even = _mm256_mul_epu32(a, m);
    const vi odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

/* Counter words 0 and 1 of blocks b .. b+7 (lane order: see the file comment), with the carry
 * into the high word. */
static inline void counters(uint64_t b, vi *lo_out, vi *hi_out)
{
    const vi base = vi_set1((uint32_t)b);
    const vi lo = _mm256_add_epi32(base, _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
    const vi bias = vi_set1(0x80000000u); /* unsigned compare for the carry */
    const vi carry = _mm256_cmpgt_epi32(_mm256_xor_si256(base, bias), _mm256_xor_si256(lo, bias));
    *lo_out = lo;
    *hi_out = _mm256_sub_epi32(vi_set1((uint32_t)(b >> 32)), carry);
}

/* The 4 words (or numbers in their place) of one set's 8 blocks, structure of arrays -> stream
 * order, stored (unaligned) at d: 128 bytes. */
static inline void store_stream(const vi w[4], char *d)
{
    const vi t0 = _mm256_unpacklo_epi32(w[0], w[1]), t1 = _mm256_unpacklo_epi32(w[2], w[3]);
    const vi t2 = _mm256_unpackhi_epi32(w[0], w[1]), t3 = _mm256_unpackhi_epi32(w[2], w[3]);
    vi_storeu((uint32_t *)(void *)d, _mm256_unpacklo_epi64(t0, t1));
    vi_storeu((uint32_t *)(void *)(d + 32), _mm256_unpackhi_epi64(t0, t1));
    vi_storeu((uint32_t *)(void *)(d + 64), _mm256_unpacklo_epi64(t2, t3));
    vi_storeu((uint32_t *)(void *)(d + 96), _mm256_unpackhi_epi64(t2, t3));
}

#endif
