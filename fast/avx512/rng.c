/* RNG family, AVX-512 (F/DQ). Mirrors ref/rng.c (philox_u32, uniform_f32, gauss_f32,
 * awgn_llr_f32); the same algorithm as fast/avx2/rng.c (see its comment for the gaussian's
 * polynomials and error analysis), on 16 blocks per vector and two interleaved sets (32 blocks)
 * per step, which hides the multiplier latency.
 *
 * Philox: one block per 32-bit lane, counter words in four registers; _mm512_mul_epu32 on the even
 * lanes and on the odd lanes shifted down, reassembled with mask blends; the two 3-way XORs are
 * single ternary-logic instructions; the counter carry into the high word is a mask add. Lane l
 * of a set holds its block 4(l mod 4) + l/4, so the in-lane 4x4 transpose (unpack) yields the words
 * in stream order. The gaussian is the avx2 operation sequence lane for lane (same roundings), so
 * avx2, avx512 and neon agree bit for bit; masks replace the blends.
 * Ranges, the position wrap and the AWGN frames are fast/rng_driver.h's.
 */
#include <immintrin.h>

#include "refast/rng.h"
#include "rng_common.h"
#include "simd_inline.h"

#define RNG_BLOCKS 32 /* blocks per step: two sets of 16 */

typedef struct keys {
    __m512i k0[10], k1[10];
    __m512i stream_lo, stream_hi;
} keys;

static void keys_init(keys *k, uint64_t seed, uint64_t stream)
{
    uint32_t k0[10], k1[10];
    philox_round_keys(seed, k0, k1);
    for (int r = 0; r < 10; r++) {
        k->k0[r] = _mm512_set1_epi32((int)k0[r]);
        k->k1[r] = _mm512_set1_epi32((int)k1[r]);
    }
    k->stream_lo = _mm512_set1_epi32((int)(uint32_t)stream);
    k->stream_hi = _mm512_set1_epi32((int)(uint32_t)(stream >> 32));
}

static inline void mulhilo(__m512i a, __m512i m, __m512i *hi, __m512i *lo)
{
    const __m512i even = _mm512_mul_epu32(a, m);
    const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
    *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
    *lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}

/* Counter words 0 and 1 of blocks b .. b+15 (lane order: see the file comment), with the carry
 * into the high word. */
static inline void counters(uint64_t b, __m512i *lo_out, __m512i *hi_out)
{
    const __m512i base = _mm512_set1_epi32((int)(uint32_t)b);
    const __m512i lo = _mm512_add_epi32(base, _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14,
                                                                3, 7, 11, 15));
    const __mmask16 carry = _mm512_cmplt_epu32_mask(lo, base);
    const __m512i hi = _mm512_set1_epi32((int)(uint32_t)(b >> 32));
    *lo_out = lo;
    *hi_out = _mm512_mask_add_epi32(hi, carry, hi, _mm512_set1_epi32(1));
}

/* Blocks b .. b+15 into w[0..3] and b+16 .. b+31 into v[0..3], words in structure of arrays. */
static inline void philox32(const keys *k, uint64_t b, __m512i w[4], __m512i v[4])
{
    __m512i c0, c1, d0, d1;
    counters(b, &c0, &c1);
    counters(b + 16, &d0, &d1);
    __m512i c2 = k->stream_lo, c3 = k->stream_hi, d2 = c2, d3 = c3;
    const __m512i m0 = _mm512_set1_epi32((int)PHILOX_M0), m1 = _mm512_set1_epi32((int)PHILOX_M1);
    for (int r = 0; r < 10; r++) {
        __m512i hi0, lo0, hi1, lo1, gi0, go0, gi1, go1;
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
    w[0] = c0, w[1] = c1, w[2] = c2, w[3] = c3;
    v[0] = d0, v[1] = d1, v[2] = d2, v[3] = d3;
}

/* Structure of arrays -> stream order: o[i] holds blocks 4i .. 4i+3. */
static inline void to_stream_order(const __m512i w[4], __m512i o[4])
{
    const __m512i t0 = _mm512_unpacklo_epi32(w[0], w[1]), t1 = _mm512_unpacklo_epi32(w[2], w[3]);
    const __m512i t2 = _mm512_unpackhi_epi32(w[0], w[1]), t3 = _mm512_unpackhi_epi32(w[2], w[3]);
    o[0] = _mm512_unpacklo_epi64(t0, t1);
    o[1] = _mm512_unpackhi_epi64(t0, t1);
    o[2] = _mm512_unpacklo_epi64(t2, t3);
    o[3] = _mm512_unpackhi_epi64(t2, t3);
}

static inline __m512 uniform_of(__m512i w)
{
    return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_srli_epi32(w, 8)), _mm512_set1_ps(0x1p-24f));
}

static inline __m512 radius_of(__m512i w)
{
    const __m512i odd = _mm512_or_si512(_mm512_srli_epi32(w, 8), _mm512_set1_epi32(1)); /* 2m+1 */
    const __m512 u1 = _mm512_mul_ps(_mm512_cvtepi32_ps(odd), _mm512_set1_ps(0x1p-24f));
    const __m512i ix = _mm512_add_epi32(_mm512_castps_si512(u1), _mm512_set1_epi32(0x3f800000 - 0x3f3504f3));
    const __m512 k = _mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_srli_epi32(ix, 23), _mm512_set1_epi32(127)));
    const __m512 f = _mm512_castsi512_ps(_mm512_add_epi32(_mm512_and_si512(ix, _mm512_set1_epi32(0x7fffff)),
                                                          _mm512_set1_epi32(0x3f3504f3)));
    const __m512 g = _mm512_sub_ps(f, _mm512_set1_ps(1.0f));
    const __m512 s = _mm512_div_ps(g, _mm512_add_ps(_mm512_set1_ps(2.0f), g));
    const __m512 z = _mm512_mul_ps(s, s);
    __m512 q = _mm512_fmadd_ps(_mm512_set1_ps(0x1.ddced8p-3f), z, _mm512_set1_ps(0x1.245c44p-2f));
    q = _mm512_fmadd_ps(q, z, _mm512_set1_ps(0x1.9999ecp-2f));
    q = _mm512_fmadd_ps(q, z, _mm512_set1_ps(0x1.555556p-1f));
    const __m512 rr = _mm512_mul_ps(z, q);
    const __m512 hfsq = _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), g), g);
    __m512 t = _mm512_fmadd_ps(s, _mm512_add_ps(hfsq, rr), _mm512_mul_ps(k, _mm512_set1_ps(0x1.2fefa2p-17f)));
    t = _mm512_add_ps(_mm512_sub_ps(t, hfsq), g);
    const __m512 ln_u1 = _mm512_fmadd_ps(k, _mm512_set1_ps(0x1.62e3p-1f), t);
    return _mm512_sqrt_ps(_mm512_mul_ps(_mm512_set1_ps(-2.0f), ln_u1));
}

static inline void cossin_of(__m512i w, __m512 *cos_a, __m512 *sin_a)
{
    const __m512i k = _mm512_srli_epi32(w, 8);
    const __m512i q = _mm512_srli_epi32(k, 22);
    const __m512i m = _mm512_and_si512(k, _mm512_set1_epi32(0x3fffff));
    const __mmask16 upper = _mm512_cmpgt_epi32_mask(m, _mm512_set1_epi32(0x200000));
    const __m512i j = _mm512_mask_sub_epi32(m, upper, _mm512_set1_epi32(0x400000), m);
    const __m512 x = _mm512_mul_ps(_mm512_cvtepi32_ps(j), _mm512_set1_ps(0x1p-21f));
    const __m512 y = _mm512_mul_ps(x, x);

    __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(0x1.4cb762p-22f), y, _mm512_set1_ps(-0x1.32ce1ep-15f));
    p = _mm512_fmadd_ps(p, y, _mm512_set1_ps(0x1.466bc2p-9f));
    p = _mm512_fmadd_ps(p, y, _mm512_set1_ps(-0x1.4abbcep-4f));
    const __m512 sn = _mm512_fmadd_ps(x, _mm512_set1_ps(0x1.921fb6p-1f),
                                      _mm512_mul_ps(x, _mm512_fmadd_ps(y, p, _mm512_set1_ps(-0x1.777a5cp-26f))));

    const __m512 c1 = _mm512_set1_ps(-0x1.3bd3ccp-2f), one = _mm512_set1_ps(1.0f);
    __m512 c = _mm512_fmadd_ps(_mm512_set1_ps(0x1.dd0736p-19f), y, _mm512_set1_ps(-0x1.55d016p-12f));
    c = _mm512_fmadd_ps(c, y, _mm512_set1_ps(0x1.03c1f0p-6f));
    const __m512 ylo = _mm512_fmsub_ps(x, x, y);
    const __m512 a = _mm512_fmadd_ps(y, c1, one);
    const __m512 aerr = _mm512_fmadd_ps(y, c1, _mm512_sub_ps(one, a));
    const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(y, y), c,
                                         _mm512_fmadd_ps(ylo, c1, _mm512_fmadd_ps(y, _mm512_set1_ps(-0x1.37c8bcp-27f), aerr)));
    const __m512 cs = _mm512_add_ps(a, small);

    const __mmask16 swap = upper ^ _mm512_test_epi32_mask(q, _mm512_set1_epi32(1));
    const __m512 cc = _mm512_mask_blend_ps(swap, cs, sn), ss = _mm512_mask_blend_ps(swap, sn, cs);
    const __m512i two = _mm512_set1_epi32(2);
    const __m512i cos_neg = _mm512_slli_epi32(_mm512_and_si512(_mm512_add_epi32(q, _mm512_set1_epi32(1)), two), 30);
    const __m512i sin_neg = _mm512_slli_epi32(_mm512_and_si512(q, two), 30);
    *cos_a = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(cc), cos_neg));
    *sin_a = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(ss), sin_neg));
}

/* The 64 numbers of one set of 16 blocks, in stream order, stored (unaligned) at d. */
AI void half(enum kind kind, __m512i *w, char *d)
{
    __m512i o[4];
    if (kind == GAUSS) {
        __m512 c0, s0, c1, s1;
        const __m512 r0 = radius_of(w[0]), r1 = radius_of(w[2]);
        cossin_of(w[1], &c0, &s0);
        cossin_of(w[3], &c1, &s1);
        w[0] = _mm512_castps_si512(_mm512_mul_ps(r0, c0));
        w[1] = _mm512_castps_si512(_mm512_mul_ps(r0, s0));
        w[2] = _mm512_castps_si512(_mm512_mul_ps(r1, c1));
        w[3] = _mm512_castps_si512(_mm512_mul_ps(r1, s1));
    }
    to_stream_order(w, o);
    for (int i = 0; i < 4; i++) {
        if (kind == UNIFORM) _mm512_storeu_ps(d + 64 * i, uniform_of(o[i]));
        else _mm512_storeu_si512(d + 64 * i, o[i]);
    }
}

/* RNG_STEP numbers of blocks b .. b+31 in stream order, stored (unaligned) at dst. */
AI void step(enum kind kind, const keys *k, uint64_t b, void *dst)
{
    __m512i w[4], v[4];
    philox32(k, b, w, v);
    half(kind, w, dst);
    half(kind, v, (char *)dst + 256);
}

/* A whole AWGN chunk, the last register masked (loads and stores never leave the chunk). */
AI size_t awgn_chunk(float *row, const uint8_t *c, size_t m, float sigma, float gain)
{
    const __m512 vsig = _mm512_set1_ps(sigma), vgain = _mm512_set1_ps(gain);
    const __m512i one_bits = _mm512_set1_epi32(0x3f800000), bit0 = _mm512_set1_epi32(1);
    for (size_t i = 0; i < m; i += 16) {
        const __mmask16 live = m - i >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (m - i)) - 1);
        const __m512i cb = _mm512_cvtepu8_epi32(_mm_maskz_loadu_epi8(live, c + i));
        const __m512 s = _mm512_castsi512_ps(
            _mm512_or_si512(one_bits, _mm512_slli_epi32(_mm512_and_si512(cb, bit0), 31)));
        const __m512 y = _mm512_fmadd_ps(vsig, _mm512_maskz_loadu_ps(live, row + i), s);
        _mm512_mask_storeu_ps(row + i, live, _mm512_mul_ps(y, vgain));
    }
    return m;
}

#include "rng_driver.h"

void philox_u32_avx512(uint64_t seed, uint64_t stream, uint64_t first, size_t n, uint32_t *out)
{
    generate(WORDS, seed, stream, first, n, out);
}

void uniform_f32_avx512(uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out)
{
    generate(UNIFORM, seed, stream, first, n, out);
}

void gauss_f32_avx512(uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out)
{
    generate(GAUSS, seed, stream, first, n, out);
}

void awgn_llr_f32_avx512(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame,
                         uint64_t seed, float sigma, float *llr)
{
    awgn_frames(bits, n, frames, first_frame, seed, sigma, llr);
}
