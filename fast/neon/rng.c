/* RNG family, AArch64 Advanced SIMD. Mirrors ref/rng.c (philox_u32, uniform_f32, gauss_f32,
 * awgn_llr_f32); the same algorithm as fast/avx2/rng.c (see its comment for the gaussian's
 * polynomials and error analysis), on 4 blocks per vector, two vectors (8 blocks) per step for
 * instruction-level parallelism.
 *
 * Philox: one block per lane, counter words in four registers; the high halves of the 32x32->64
 * products come from vmull_u32 / vmull_high_u32 and an unzip (vuzp2q), the low halves from a plain
 * vmulq_u32. vst4q stores the four word registers interleaved, i.e. in stream order, for free. The
 * gaussian is the avx2 operation sequence lane for lane (same roundings, vfmaq for every FMA), so
 * avx2, avx512 and neon agree bit for bit.
 * Ranges, the position wrap and the AWGN frames are fast/rng_driver.h's.
 */
#include <arm_neon.h>
#include <string.h>

#include "refast/rng.h"
#include "rng_common.h"
#include "simd_inline.h"

#define RNG_BLOCKS 8 /* blocks per step: two vectors of four */

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

/* Blocks b .. b+3 (w) and b+4 .. b+7 (v), lane l = block l of its vector. */
static inline void philox8(const keys *k, uint64_t b, uint32x4_t w[4], uint32x4_t v[4])
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
    w[0] = a0, w[1] = a1, w[2] = a2, w[3] = a3;
    v[0] = b0, v[1] = b1, v[2] = b2, v[3] = b3;
}

static inline float32x4_t uniform_of(uint32x4_t w)
{
    return vmulq_f32(vcvtq_f32_u32(vshrq_n_u32(w, 8)), vdupq_n_f32(0x1p-24f));
}

/* vfmaq_f32(c, a, b) = a * b + c: fma(a, b, c) in the order of the avx2 file */
static inline float32x4_t fma4(float32x4_t a, float32x4_t b, float32x4_t c)
{
    return vfmaq_f32(c, a, b);
}

static inline float32x4_t radius_of(uint32x4_t w)
{
    const uint32x4_t odd = vorrq_u32(vshrq_n_u32(w, 8), vdupq_n_u32(1)); /* 2m+1 */
    const float32x4_t u1 = vmulq_f32(vcvtq_f32_u32(odd), vdupq_n_f32(0x1p-24f));
    const uint32x4_t ix = vaddq_u32(vreinterpretq_u32_f32(u1), vdupq_n_u32(0x3f800000u - 0x3f3504f3u));
    const float32x4_t k = vcvtq_f32_s32(vsubq_s32(vreinterpretq_s32_u32(vshrq_n_u32(ix, 23)), vdupq_n_s32(127)));
    const float32x4_t f = vreinterpretq_f32_u32(vaddq_u32(vandq_u32(ix, vdupq_n_u32(0x7fffff)),
                                                          vdupq_n_u32(0x3f3504f3u)));
    const float32x4_t g = vsubq_f32(f, vdupq_n_f32(1.0f));
    const float32x4_t s = vdivq_f32(g, vaddq_f32(vdupq_n_f32(2.0f), g));
    const float32x4_t z = vmulq_f32(s, s);
    float32x4_t q = fma4(vdupq_n_f32(0x1.ddced8p-3f), z, vdupq_n_f32(0x1.245c44p-2f));
    q = fma4(q, z, vdupq_n_f32(0x1.9999ecp-2f));
    q = fma4(q, z, vdupq_n_f32(0x1.555556p-1f));
    const float32x4_t rr = vmulq_f32(z, q);
    const float32x4_t hfsq = vmulq_f32(vmulq_f32(vdupq_n_f32(0.5f), g), g);
    float32x4_t t = fma4(s, vaddq_f32(hfsq, rr), vmulq_f32(k, vdupq_n_f32(0x1.2fefa2p-17f)));
    t = vaddq_f32(vsubq_f32(t, hfsq), g);
    const float32x4_t ln_u1 = fma4(k, vdupq_n_f32(0x1.62e3p-1f), t);
    return vsqrtq_f32(vmulq_f32(vdupq_n_f32(-2.0f), ln_u1));
}

static inline void cossin_of(uint32x4_t w, float32x4_t *cos_a, float32x4_t *sin_a)
{
    const uint32x4_t k = vshrq_n_u32(w, 8);
    const uint32x4_t q = vshrq_n_u32(k, 22);
    const uint32x4_t m = vandq_u32(k, vdupq_n_u32(0x3fffff));
    const uint32x4_t upper = vcgtq_u32(m, vdupq_n_u32(0x200000));
    const uint32x4_t j = vbslq_u32(upper, vsubq_u32(vdupq_n_u32(0x400000), m), m);
    const float32x4_t x = vmulq_f32(vcvtq_f32_u32(j), vdupq_n_f32(0x1p-21f));
    const float32x4_t y = vmulq_f32(x, x);

    float32x4_t p = fma4(vdupq_n_f32(0x1.4cb762p-22f), y, vdupq_n_f32(-0x1.32ce1ep-15f));
    p = fma4(p, y, vdupq_n_f32(0x1.466bc2p-9f));
    p = fma4(p, y, vdupq_n_f32(-0x1.4abbcep-4f));
    const float32x4_t sn = fma4(x, vdupq_n_f32(0x1.921fb6p-1f),
                                vmulq_f32(x, fma4(y, p, vdupq_n_f32(-0x1.777a5cp-26f))));

    const float32x4_t c1 = vdupq_n_f32(-0x1.3bd3ccp-2f), one = vdupq_n_f32(1.0f);
    float32x4_t c = fma4(vdupq_n_f32(0x1.dd0736p-19f), y, vdupq_n_f32(-0x1.55d016p-12f));
    c = fma4(c, y, vdupq_n_f32(0x1.03c1f0p-6f));
    /* x*x - y = -(y - x*x), one rounding (round-to-nearest is symmetric), as avx2's fmsub */
    const float32x4_t ylo = vnegq_f32(vfmsq_f32(y, x, x));
    const float32x4_t a = fma4(y, c1, one);
    const float32x4_t aerr = fma4(y, c1, vsubq_f32(one, a));
    const float32x4_t small = fma4(vmulq_f32(y, y), c, fma4(ylo, c1, fma4(y, vdupq_n_f32(-0x1.37c8bcp-27f), aerr)));
    const float32x4_t cs = vaddq_f32(a, small);

    const uint32x4_t swap = veorq_u32(upper, vtstq_u32(q, vdupq_n_u32(1)));
    const float32x4_t cc = vbslq_f32(swap, sn, cs), ss = vbslq_f32(swap, cs, sn);
    const uint32x4_t two = vdupq_n_u32(2);
    const uint32x4_t cos_neg = vshlq_n_u32(vandq_u32(vaddq_u32(q, vdupq_n_u32(1)), two), 30);
    const uint32x4_t sin_neg = vshlq_n_u32(vandq_u32(q, two), 30);
    *cos_a = vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(cc), cos_neg));
    *sin_a = vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(ss), sin_neg));
}

static inline void gauss4(const uint32x4_t w[4], float32x4x4_t *z)
{
    float32x4_t c0, s0, c1, s1;
    const float32x4_t r0 = radius_of(w[0]), r1 = radius_of(w[2]);
    cossin_of(w[1], &c0, &s0);
    cossin_of(w[3], &c1, &s1);
    z->val[0] = vmulq_f32(r0, c0);
    z->val[1] = vmulq_f32(r0, s0);
    z->val[2] = vmulq_f32(r1, c1);
    z->val[3] = vmulq_f32(r1, s1);
}

AI void step(enum kind kind, const keys *k, uint64_t b, void *dst)
{
    uint32x4_t w[4], v[4];
    philox8(k, b, w, v);
    char *d = dst;
    if (kind == WORDS) {
        vst4q_u32((uint32_t *)(void *)d, (uint32x4x4_t){{w[0], w[1], w[2], w[3]}});
        vst4q_u32((uint32_t *)(void *)(d + 64), (uint32x4x4_t){{v[0], v[1], v[2], v[3]}});
    } else if (kind == UNIFORM) {
        vst4q_f32((float *)(void *)d, (float32x4x4_t){{uniform_of(w[0]), uniform_of(w[1]), uniform_of(w[2]),
                                                       uniform_of(w[3])}});
        vst4q_f32((float *)(void *)(d + 64), (float32x4x4_t){{uniform_of(v[0]), uniform_of(v[1]),
                                                              uniform_of(v[2]), uniform_of(v[3])}});
    } else {
        float32x4x4_t za, zb;
        gauss4(w, &za);
        gauss4(v, &zb);
        vst4q_f32((float *)(void *)d, za);
        vst4q_f32((float *)(void *)(d + 64), zb);
    }
}

/* The whole registers of an AWGN chunk (the driver does the tail). */
AI size_t awgn_chunk(float *row, const uint8_t *c, size_t m, float sigma, float gain)
{
    const float32x4_t vsig = vdupq_n_f32(sigma), vgain = vdupq_n_f32(gain);
    const uint32x4_t one_bits = vdupq_n_u32(0x3f800000u), bit0 = vdupq_n_u32(1);
    size_t i = 0;
    for (; i + 4 <= m; i += 4) {
        uint32_t cw;
        memcpy(&cw, c + i, 4);
        const uint32x4_t cb = vmovl_u16(vget_low_u16(vmovl_u8(vcreate_u8(cw))));
        const float32x4_t s = vreinterpretq_f32_u32(vorrq_u32(one_bits, vshlq_n_u32(vandq_u32(cb, bit0), 31)));
        const float32x4_t y = vfmaq_f32(s, vsig, vld1q_f32(row + i));
        vst1q_f32(row + i, vmulq_f32(y, vgain));
    }
    return i;
}

#include "rng_driver.h"

void philox_u32_neon(uint64_t seed, uint64_t stream, uint64_t first, size_t n, uint32_t *out)
{
    generate(WORDS, seed, stream, first, n, out);
}

void uniform_f32_neon(uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out)
{
    generate(UNIFORM, seed, stream, first, n, out);
}

void gauss_f32_neon(uint64_t seed, uint64_t stream, uint64_t first, size_t n, float *out)
{
    generate(GAUSS, seed, stream, first, n, out);
}

void awgn_llr_f32_neon(const uint8_t *bits, size_t n, size_t frames, uint64_t first_frame,
                       uint64_t seed, float sigma, float *llr)
{
    awgn_frames(bits, n, frames, first_frame, seed, sigma, llr);
}
