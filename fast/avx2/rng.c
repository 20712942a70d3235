/* RNG family, AVX2 + FMA. Mirrors ref/rng.c (philox_u32, uniform_f32, gauss_f32, awgn_llr_f32).
 *
 * Philox: 8 blocks per vector, one block per 32-bit lane, the four counter words in four
 * registers (structure of arrays); two such sets (16 blocks per step) go through the rounds
 * interleaved, which hides the multiplier latency (+25% measured over one set). The 32x32->64
 * multiplications use _mm256_mul_epu32 on the even lanes and again on the odd lanes shifted down;
 * blends reassemble the high and low halves. Lane l of a set holds its block 2(l mod 4) + l/4, so
 * the in-lane 4x4 transpose (unpack) already yields the words in stream order and no cross-lane
 * permute is needed. Words and uniforms are bit-identical to ref.
 *
 * Gaussian: float arithmetic with FMA; the same operation sequence as fast/avx512 and fast/neon,
 * so those three levels agree bit for bit (ref, in double, differs within the bound).
 *   r = sqrt(-2 ln u1): ln u1 = k ln2 + ln(1 + g), u1 = 2^k (1 + g), 1 + g in [sqrt(1/2), sqrt(2));
 *     ln(1 + g) = g - g^2/2 + s (g^2/2 + z Q(z)), s = g / (2 + g), z = s^2 (the atanh series;
 *     Q: degree-3 Chebyshev fit, |error| < 1.2e-9 on z in [0, (3 - 2 sqrt 2)^2]); ln2 split in
 *     Cody–Waite hi/lo. Over all 2^23 possible u1: |r~ - r| <= 0.972 ulp(r), relative <= 1.64 u
 *     (u = 2^-24), measured exhaustively against long double.
 *   sin and cos of t = (pi/4) x, x = j / 2^21 exact in float: sin = x (pi/4 + y P(y)) with pi/4 as
 *     hi + lo (the hi product is exact inside the FMA), cos = 1 + C1 y + y^2 C(y) with the rounding
 *     error of 1 + C1 y and of y = x^2 recovered by FMAs; P, C: Chebyshev fits (< 1.4e-11, 7.7e-10).
 *     Over all 2^21 + 1 reduced angles: sin <= 0.692 ulp (relative 1.092 u), cos <= 0.541 ulp
 *     (relative 0.755 u).
 *   z = r * (cos or sin): |z~ - z| <= 0.5 ulp (product) + (1.64 + 1.092) u |z| < 3.23 ulp(z)
 *     (u |z| < ulp(z)), and the correctly rounded value is within 0.5 ulp of z: fewer than 3.73,
 *     i.e. at most 3 float steps apart (also across a binade edge, where steps below are halved but
 *     so is u |z| in them). That is the registry's bound; measured max: 2 (test_rng, 2^20 values).
 * Ranges, the position wrap and the AWGN frames are fast/rng_driver.h's.
 */
#include <immintrin.h>

#include "refast/rng.h"
#include "rng_common.h"
#include "simd_inline.h"

#define RNG_BLOCKS 16 /* blocks per step: two sets of 8 */

typedef struct keys {
    __m256i k0[10], k1[10]; /* round keys, broadcast */
    __m256i stream_lo, stream_hi;
} keys;

static void keys_init(keys *k, uint64_t seed, uint64_t stream)
{
    uint32_t k0[10], k1[10];
    philox_round_keys(seed, k0, k1);
    for (int r = 0; r < 10; r++) {
        k->k0[r] = _mm256_set1_epi32((int)k0[r]);
        k->k1[r] = _mm256_set1_epi32((int)k1[r]);
    }
    k->stream_lo = _mm256_set1_epi32((int)(uint32_t)stream);
    k->stream_hi = _mm256_set1_epi32((int)(uint32_t)(stream >> 32));
}

static inline void mulhilo(__m256i a, __m256i m, __m256i *hi, __m256i *lo)
{
    const __m256i even = _mm256_mul_epu32(a, m);
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

/* Counter words 0 and 1 of blocks b .. b+7 (lane order: see the file comment), with the carry
 * into the high word. */
static inline void counters(uint64_t b, __m256i *lo_out, __m256i *hi_out)
{
    const __m256i base = _mm256_set1_epi32((int)(uint32_t)b);
    const __m256i lo = _mm256_add_epi32(base, _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
    const __m256i bias = _mm256_set1_epi32((int)0x80000000u); /* unsigned compare for the carry */
    const __m256i carry = _mm256_cmpgt_epi32(_mm256_xor_si256(base, bias), _mm256_xor_si256(lo, bias));
    *lo_out = lo;
    *hi_out = _mm256_sub_epi32(_mm256_set1_epi32((int)(uint32_t)(b >> 32)), carry);
}

/* Blocks b .. b+7 into w[0..3] and b+8 .. b+15 into v[0..3], words in structure of arrays. */
static inline void philox16(const keys *k, uint64_t b, __m256i w[4], __m256i v[4])
{
    __m256i c0, c1, d0, d1;
    counters(b, &c0, &c1);
    counters(b + 8, &d0, &d1);
    __m256i c2 = k->stream_lo, c3 = k->stream_hi, d2 = c2, d3 = c3;
    const __m256i m0 = _mm256_set1_epi32((int)PHILOX_M0), m1 = _mm256_set1_epi32((int)PHILOX_M1);
    for (int r = 0; r < 10; r++) {
        __m256i hi0, lo0, hi1, lo1, gi0, go0, gi1, go1;
        mulhilo(c0, m0, &hi0, &lo0);
        mulhilo(d0, m0, &gi0, &go0);
        mulhilo(c2, m1, &hi1, &lo1);
        mulhilo(d2, m1, &gi1, &go1);
        c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), k->k0[r]);
        d0 = _mm256_xor_si256(_mm256_xor_si256(gi1, d1), k->k0[r]);
        c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), k->k1[r]);
        d2 = _mm256_xor_si256(_mm256_xor_si256(gi0, d3), k->k1[r]);
        c1 = lo1;
        d1 = go1;
        c3 = lo0;
        d3 = go0;
    }
    w[0] = c0, w[1] = c1, w[2] = c2, w[3] = c3;
    v[0] = d0, v[1] = d1, v[2] = d2, v[3] = d3;
}

/* Structure of arrays -> stream order: out[0..3] hold blocks (0,1), (2,3), (4,5), (6,7). */
static inline void to_stream_order(const __m256i w[4], __m256i o[4])
{
    const __m256i t0 = _mm256_unpacklo_epi32(w[0], w[1]), t1 = _mm256_unpacklo_epi32(w[2], w[3]);
    const __m256i t2 = _mm256_unpackhi_epi32(w[0], w[1]), t3 = _mm256_unpackhi_epi32(w[2], w[3]);
    o[0] = _mm256_unpacklo_epi64(t0, t1);
    o[1] = _mm256_unpackhi_epi64(t0, t1);
    o[2] = _mm256_unpacklo_epi64(t2, t3);
    o[3] = _mm256_unpackhi_epi64(t2, t3);
}

static inline __m256 uniform_of(__m256i w)
{
    return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(w, 8)), _mm256_set1_ps(0x1p-24f));
}

/* r = sqrt(-2 ln u1), u1 = ((w >> 9) + 0.5) 2^-23. */
static inline __m256 radius_of(__m256i w)
{
    const __m256i odd = _mm256_or_si256(_mm256_srli_epi32(w, 8), _mm256_set1_epi32(1)); /* 2m+1 */
    const __m256 u1 = _mm256_mul_ps(_mm256_cvtepi32_ps(odd), _mm256_set1_ps(0x1p-24f));
    const __m256i ix = _mm256_add_epi32(_mm256_castps_si256(u1), _mm256_set1_epi32(0x3f800000 - 0x3f3504f3));
    const __m256 k = _mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_srli_epi32(ix, 23), _mm256_set1_epi32(127)));
    const __m256 f = _mm256_castsi256_ps(_mm256_add_epi32(_mm256_and_si256(ix, _mm256_set1_epi32(0x7fffff)),
                                                          _mm256_set1_epi32(0x3f3504f3)));
    const __m256 g = _mm256_sub_ps(f, _mm256_set1_ps(1.0f));
    const __m256 s = _mm256_div_ps(g, _mm256_add_ps(_mm256_set1_ps(2.0f), g));
    const __m256 z = _mm256_mul_ps(s, s);
    __m256 q = _mm256_fmadd_ps(_mm256_set1_ps(0x1.ddced8p-3f), z, _mm256_set1_ps(0x1.245c44p-2f));
    q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(0x1.9999ecp-2f));
    q = _mm256_fmadd_ps(q, z, _mm256_set1_ps(0x1.555556p-1f));
    const __m256 rr = _mm256_mul_ps(z, q);
    const __m256 hfsq = _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), g), g);
    __m256 t = _mm256_fmadd_ps(s, _mm256_add_ps(hfsq, rr), _mm256_mul_ps(k, _mm256_set1_ps(0x1.2fefa2p-17f)));
    t = _mm256_add_ps(_mm256_sub_ps(t, hfsq), g);
    const __m256 ln_u1 = _mm256_fmadd_ps(k, _mm256_set1_ps(0x1.62e3p-1f), t);
    return _mm256_sqrt_ps(_mm256_mul_ps(_mm256_set1_ps(-2.0f), ln_u1));
}

/* cos and sin of angle 2 pi (w >> 8) / 2^24. */
static inline void cossin_of(__m256i w, __m256 *cos_a, __m256 *sin_a)
{
    const __m256i k = _mm256_srli_epi32(w, 8);
    const __m256i q = _mm256_srli_epi32(k, 22);
    const __m256i m = _mm256_and_si256(k, _mm256_set1_epi32(0x3fffff));
    const __m256i upper = _mm256_cmpgt_epi32(m, _mm256_set1_epi32(0x200000));
    const __m256i j = _mm256_blendv_epi8(m, _mm256_sub_epi32(_mm256_set1_epi32(0x400000), m), upper);
    const __m256 x = _mm256_mul_ps(_mm256_cvtepi32_ps(j), _mm256_set1_ps(0x1p-21f));
    const __m256 y = _mm256_mul_ps(x, x);

    __m256 p = _mm256_fmadd_ps(_mm256_set1_ps(0x1.4cb762p-22f), y, _mm256_set1_ps(-0x1.32ce1ep-15f));
    p = _mm256_fmadd_ps(p, y, _mm256_set1_ps(0x1.466bc2p-9f));
    p = _mm256_fmadd_ps(p, y, _mm256_set1_ps(-0x1.4abbcep-4f));
    const __m256 sn = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.921fb6p-1f),
                                      _mm256_mul_ps(x, _mm256_fmadd_ps(y, p, _mm256_set1_ps(-0x1.777a5cp-26f))));

    const __m256 c1 = _mm256_set1_ps(-0x1.3bd3ccp-2f), one = _mm256_set1_ps(1.0f);
    __m256 c = _mm256_fmadd_ps(_mm256_set1_ps(0x1.dd0736p-19f), y, _mm256_set1_ps(-0x1.55d016p-12f));
    c = _mm256_fmadd_ps(c, y, _mm256_set1_ps(0x1.03c1f0p-6f));
    const __m256 ylo = _mm256_fmsub_ps(x, x, y); /* x^2 = y + ylo exactly */
    const __m256 a = _mm256_fmadd_ps(y, c1, one);
    const __m256 aerr = _mm256_fmadd_ps(y, c1, _mm256_sub_ps(one, a)); /* 1 + c1 y = a + aerr */
    const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(y, y), c,
                                         _mm256_fmadd_ps(ylo, c1, _mm256_fmadd_ps(y, _mm256_set1_ps(-0x1.37c8bcp-27f), aerr)));
    const __m256 cs = _mm256_add_ps(a, small);

    /* complement (upper) and odd quadrants swap cos and sin; then the quadrant's signs */
    const __m256 swap = _mm256_castsi256_ps(_mm256_xor_si256(upper, _mm256_slli_epi32(q, 31)));
    const __m256 cc = _mm256_blendv_ps(cs, sn, swap), ss = _mm256_blendv_ps(sn, cs, swap);
    const __m256i two = _mm256_set1_epi32(2);
    const __m256i cos_neg = _mm256_slli_epi32(_mm256_and_si256(_mm256_add_epi32(q, _mm256_set1_epi32(1)), two), 30);
    const __m256i sin_neg = _mm256_slli_epi32(_mm256_and_si256(q, two), 30);
    *cos_a = _mm256_xor_ps(cc, _mm256_castsi256_ps(cos_neg));
    *sin_a = _mm256_xor_ps(ss, _mm256_castsi256_ps(sin_neg));
}

/* The 32 numbers of one set of 8 blocks, in stream order, stored (unaligned) at d. */
AI void half(enum kind kind, __m256i *w, char *d)
{
    __m256i o[4];
    if (kind == GAUSS) {
        __m256 c0, s0, c1, s1;
        const __m256 r0 = radius_of(w[0]), r1 = radius_of(w[2]);
        cossin_of(w[1], &c0, &s0);
        cossin_of(w[3], &c1, &s1);
        w[0] = _mm256_castps_si256(_mm256_mul_ps(r0, c0));
        w[1] = _mm256_castps_si256(_mm256_mul_ps(r0, s0));
        w[2] = _mm256_castps_si256(_mm256_mul_ps(r1, c1));
        w[3] = _mm256_castps_si256(_mm256_mul_ps(r1, s1));
    }
    to_stream_order(w, o);
    for (int i = 0; i < 4; i++) {
        if (kind == UNIFORM) _mm256_storeu_ps((float *)(void *)(d + 32 * i), uniform_of(o[i]));
        else _mm256_storeu_si256((__m256i *)(void *)(d + 32 * i), o[i]);
    }
}

/* RNG_STEP numbers of blocks b .. b+15 in stream order, stored (unaligned) at dst. */
AI void step(enum kind kind, const keys *k, uint64_t b, void *dst)
{
    __m256i w[4], v[4];
    philox16(k, b, w, v);
    half(kind, w, dst);
    half(kind, v, (char *)dst + 128);
}

/* The whole registers of an AWGN chunk (the driver does the tail). */
AI size_t awgn_chunk(float *row, const uint8_t *c, size_t m, float sigma, float gain)
{
    const __m256 vsig = _mm256_set1_ps(sigma), vgain = _mm256_set1_ps(gain);
    const __m256i one_bits = _mm256_set1_epi32(0x3f800000), bit0 = _mm256_set1_epi32(1);
    size_t i = 0;
    for (; i + 8 <= m; i += 8) {
        const __m256i cb = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(c + i)));
        const __m256 s = _mm256_castsi256_ps( /* +-1: bit 0 moved to the sign */
            _mm256_or_si256(one_bits, _mm256_slli_epi32(_mm256_and_si256(cb, bit0), 31)));
        const __m256 y = _mm256_fmadd_ps(vsig, _mm256_loadu_ps(row + i), s);
        _mm256_storeu_ps(row + i, _mm256_mul_ps(y, vgain));
    }
    return i;
}

#include "rng_driver.h"

void philox_u32_avx2(uint64_t seed, uint64_t stream, uint64_t first, size_t n, uint32_t *out)
{
    generate(WORDS, seed, stream, first, n, out);
}

void uniform_f32_avx2(uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out)
{
    generate(UNIFORM, seed, stream, first, n, out);
}

void gauss_f32_avx2(uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out)
{
    generate(GAUSS, seed, stream, first, n, out);
}

void awgn_llr_f32_avx2(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame,
                       uint64_t seed, float sigma, float *llr)
{
    awgn_frames(bits, n, frames, first_frame, seed, sigma, llr);
}
