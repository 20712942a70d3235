/* Philox4x32-10 at the avx2 level (the rounds of ref/rng.c; fast/generic/rng.c turns them into
 * words, uniforms and gaussians): 8 blocks per vector, one block per 32-bit lane, the four counter
 * words in four registers (structure of arrays); two such sets (16 blocks per step) go through the
 * rounds interleaved, which hides the multiplier latency (+25% measured over one set). The
 * 32x32->64 multiplications use _mm256_mul_epu32 on the even lanes and again on the odd lanes
 * shifted down; blends reassemble the high and low halves. Lane l of a set holds its block
 * 2(l mod 4) + l/4, so the in-lane 4x4 transpose (unpack) already yields the words in stream order
 * and no cross-lane permute is needed.
 */
#ifndef REFAST_FAST_PHILOX_H
#define REFAST_FAST_PHILOX_H

#include "philox_common.h"
#include "simd.h"

typedef struct keys {
    vi k0[10], k1[10]; /* round keys, broadcast */
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

/* Blocks b .. b+7 into w[0][0..3] and b+8 .. b+15 into w[1][0..3], words in structure of arrays. */
static inline void philox_sets(const keys *k, uint64_t b, vi w[2][4])
{
    vi c0, c1, d0, d1;
    counters(b, &c0, &c1);
    counters(b + 8, &d0, &d1);
    vi c2 = k->stream_lo, c3 = k->stream_hi, d2 = c2, d3 = c3;
    const vi m0 = vi_set1(PHILOX_M0), m1 = vi_set1(PHILOX_M1);
    for (int r = 0; r < 10; r++) {
        vi hi0, lo0, hi1, lo1, gi0, go0, gi1, go1;
        mulhilo(c0, m0, &hi0, &lo0);
        mulhilo(d0, m0, &gi0, &go0);
        mulhilo(c2, m1, &hi1, &lo1);
        mulhilo(d2, m1, &gi1, &go1);
        c0 = vi_xor(vi_xor(hi1, c1), k->k0[r]);
        d0 = vi_xor(vi_xor(gi1, d1), k->k0[r]);
        c2 = vi_xor(vi_xor(hi0, c3), k->k1[r]);
        d2 = vi_xor(vi_xor(gi0, d3), k->k1[r]);
        c1 = lo1;
        d1 = go1;
        c3 = lo0;
        d3 = go0;
    }
    w[0][0] = c0, w[0][1] = c1, w[0][2] = c2, w[0][3] = c3;
    w[1][0] = d0, w[1][1] = d1, w[1][2] = d2, w[1][3] = d3;
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
