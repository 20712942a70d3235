/* The avx512 level's pieces of Philox4x32-10 (fast/generic/rng.c runs the rounds): 16 blocks per
 * vector, one block per 32-bit lane, counter words in four registers. _mm512_mul_epu32 on the even
 * lanes and on the odd lanes shifted down, reassembled with mask blends (the round's two 3-way
 * XORs are single ternary-logic instructions, vi_xor3); the counter carry into the high word is a
 * mask add. Lane l of a set holds its block 4(l mod 4) + l/4, so the in-lane 4x4 transpose
 * (unpack) yields the words in stream order.
 */
#ifndef REFAST_FAST_PHILOX_H
#define REFAST_FAST_PHILOX_H

#include "philox_common.h"
#include "simd.h"

static inline void mulhilo(vi a, vi m, vi *hi, vi *lo)
{
    const vi even = _mm512_mul_epu32(a, m);
    const vi odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
    *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
    *lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}

/* Counter words 0 and 1 of blocks b .. b+15 (lane order: see the file comment), with the carry
 * into the high word. */
static inline void counters(uint64_t b, vi *lo_out, vi *hi_out)
{
    const vi base = vi_set1((uint32_t)b);
    const vi lo = _mm512_add_epi32(base, _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
    const __mmask16 carry = _mm512_cmplt_epu32_mask(lo, base);
    const vi hi = vi_set1((uint32_t)(b >> 32));
    *lo_out = lo;
    *hi_out = _mm512_mask_add_epi32(hi, carry, hi, _mm512_set1_epi32(1));
}

/* One set's 16 blocks, structure of arrays -> stream order (o[i] holds blocks 4i .. 4i+3), stored
 * (unaligned) at d: 256 bytes. */
static inline void store_stream(const vi w[4], char *d)
{
    const vi t0 = _mm512_unpacklo_epi32(w[0], w[1]), t1 = _mm512_unpacklo_epi32(w[2], w[3]);
    const vi t2 = _mm512_unpackhi_epi32(w[0], w[1]), t3 = _mm512_unpackhi_epi32(w[2], w[3]);
    vi_storeu((uint32_t *)(void *)d, _mm512_unpacklo_epi64(t0, t1));
    vi_storeu((uint32_t *)(void *)(d + 64), _mm512_unpackhi_epi64(t0, t1));
    vi_storeu((uint32_t *)(void *)(d + 128), _mm512_unpacklo_epi64(t2, t3));
    vi_storeu((uint32_t *)(void *)(d + 192), _mm512_unpackhi_epi64(t2, t3));
}

#endif
