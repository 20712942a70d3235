/* Philox4x32-10 at the avx512 level (the rounds of ref/rng.c; fast/generic/rng.c turns them into
 * words, uniforms and gaussians): 16 blocks per vector, one block per 32-bit lane, counter words
 * in four registers, two interleaved sets (32 blocks) per step, which hides the multiplier latency.
 * _mm512_mul_epu32 on the even lanes and on the odd lanes shifted down, reassembled with mask
 * blends; the two 3-way XORs are single ternary-logic instructions; the counter carry into the
 * high word is a mask add. Lane l of a set holds its block 4(l mod 4) + l/4, so the in-lane 4x4
 * transpose (unpack) yields the words in stream order.
 */
#ifndef REFAST_FAST_PHILOX_H
#define REFAST_FAST_PHILOX_H

#include "philox_common.h"
#include "simd.h"

typedef struct keys {
    vi k0[10], k1[10];
    vi stream_lo, stream_hi;
} keys;

static void keys_init(keys *k, uint64_t seed, uint64_t stream)
{
    uint32_t k0[10], k1[10];
    philox_round_keys(seed, k0, k1);
    for (int r = 0; r < 10; r++) {
        k->k0[r] = vi_set1(k0[r]);
        k->k1[r] = vi_set1(k1[r]);
    }
    k->stream_lo = vi_set1((uint32_t)stream);
    k->stream_hi = vi_set1((uint32_t)(stream >> 32));
}

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

/* Blocks b .. b+15 into w[0][0..3] and b+16 .. b+31 into w[1][0..3], words in structure of
 * arrays. */
static inline void philox_sets(const keys *k, uint64_t b, vi w[2][4])
{
    vi c0, c1, d0, d1;
    counters(b, &c0, &c1);
    counters(b + 16, &d0, &d1);
    vi c2 = k->stream_lo, c3 = k->stream_hi, d2 = c2, d3 = c3;
    const vi m0 = vi_set1(PHILOX_M0), m1 = vi_set1(PHILOX_M1);
    for (int r = 0; r < 10; r++) {
        vi hi0, lo0, hi1, lo1, gi0, go0, gi1, go1;
        mulhilo(c0, m0, &hi0, &lo0);
        mulhilo(d0, m0, &gi0, &go0);
        mulhilo(c2, m1, &hi1, &lo1);
        mulhilo(d2, m1, &gi1, &go1);
        c0 = _mm512_ternarylogic_epi32(hi1, c1, k->k0[r], 0x96); /* a ^ b ^ c */
        d0 = _mm512_ternarylogic_epi32(gi1, d1, k->k0[r], 0x96);
        c2 = _mm512_ternarylogic_epi32(hi0, c3, k->k1[r], 0x96);
        d2 = _mm512_ternarylogic_epi32(gi0, d3, k->k1[r], 0x96);
        c1 = lo1;
        d1 = go1;
        c3 = lo0;
        d3 = go0;
    }
    w[0][0] = c0, w[0][1] = c1, w[0][2] = c2, w[0][3] = c3;
    w[1][0] = d0, w[1][1] = d1, w[1][2] = d2, w[1][3] = d3;
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
